using Keepwire.Model;

namespace Keepwire.Onboarding.Init;

/// <summary>What <c>keepwire init</c> writes: the hub's entry of a starter configuration.</summary>
/// <param name="PublicInterface">Where the VIPs go; null when something else puts them on the host.</param>
/// <param name="Tunnel">The hub's tunnel addresses with their prefixes (the tunnel network).</param>
public sealed record HubInitOptions(
    string Name,
    HostEndpoint Endpoint,
    string? PublicInterface,
    TunnelAddresses Tunnel,
    string ConfigPath,
    string PrivateKeyFile)
{
    /// <summary>The hub's WireGuard interface; null leaves the default (kw0).</summary>
    public string? Interface { get; init; }
}
