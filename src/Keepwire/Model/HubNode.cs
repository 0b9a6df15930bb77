using System.Net;

namespace Keepwire.Model;

/// <summary>A hub node: holds the public VIPs and terminates every site's tunnel.</summary>
/// <param name="Endpoint">What sites dial: a DNS name or an address, and a port.</param>
/// <param name="ListenPort">The UDP port the hub's WireGuard interface listens on.</param>
/// <param name="Interface">The hub's WireGuard interface name (at most 15 characters).</param>
/// <param name="PublicInterface">
/// The interface the VIPs are added to. Null means something else (keepalived, the provider)
/// puts the VIPs on the host and Keepwire only forwards.
/// </param>
/// <param name="PrivateKeyFile">Path of the hub's private key (mode 0600); read only on the hub itself.</param>
/// <param name="Tunnel">The hub's own tunnel addresses; their prefixes form the tunnel network.</param>
/// <param name="AllowForwardFrom">
/// Source prefixes allowed to reach site tunnel addresses through the hub without DNAT.
/// Empty by default: the hub forwards only the configured service ports.
/// </param>
public sealed record HubNode(
    string Name,
    HostEndpoint Endpoint,
    int ListenPort,
    string Interface,
    string? PublicInterface,
    WireGuardKey PublicKey,
    string PrivateKeyFile,
    TunnelAddresses Tunnel,
    IReadOnlyList<IPNetwork> AllowForwardFrom)
{
    /// <summary>
    /// In a pair: this hub's own address for VRRP unicast and the hub-to-hub sync (never a VIP). Null for a single hub.
    /// </summary>
    public IPAddress? PairAddress { get; init; }

    /// <summary>In a pair: VRRP priority, 1–254, distinct from the peer's. 0 (meaningless) for a single hub.</summary>
    public int VrrpPriority { get; init; }
}
