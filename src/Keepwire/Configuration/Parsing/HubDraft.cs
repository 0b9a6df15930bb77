using System.Net;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// A hub as read from the file, before the checks across the whole file. A field is null when it
/// was missing or invalid (the error is already reported); records are only built from complete drafts.
/// </summary>
internal sealed class HubDraft(YamlNode node)
{
    public YamlNode Node { get; } = node;

    public Located<string>? Name { get; set; }

    public HostEndpoint? Endpoint { get; set; }

    /// <summary>Where the endpoint was written, for checks that reason about its host.</summary>
    public YamlNode? EndpointNode { get; set; }

    public int? ListenPort { get; set; }

    public string? Interface { get; set; }

    public string? PublicInterface { get; set; }

    /// <summary>True when the file has no public_interface (as opposed to an invalid one, already reported).</summary>
    public bool PublicInterfaceAbsent { get; set; }

    public Located<WireGuardKey>? PublicKey { get; set; }

    public string? PrivateKeyFile { get; set; }

    public HubTunnelDraft? Tunnel { get; set; }

    public YamlNode? TunnelNode { get; set; }

    /// <summary>pair_address as written; null when absent (a pair then takes the endpoint's address).</summary>
    public Located<IPAddress>? ExplicitPairAddress { get; set; }

    /// <summary>vrrp_priority as written; null when absent (a pair then applies the default by position).</summary>
    public Located<int>? ExplicitVrrpPriority { get; set; }

    /// <summary>The pair settings this hub ends up with; set by <see cref="HubPairRules"/>, left null for a single hub.</summary>
    public IPAddress? PairAddress { get; set; }

    public int VrrpPriority { get; set; }

    public string DisplayName => Name is null ? "hub" : $"hub '{Name.Value}'";

    public List<IPNetwork> AllowForwardFrom { get; } = [];

    public HubNode ToNode()
    {
        var tunnel = Tunnel ?? throw Incomplete();
        return new HubNode(
            Name?.Value ?? throw Incomplete(),
            Endpoint ?? throw Incomplete(),
            ListenPort ?? throw Incomplete(),
            Interface ?? throw Incomplete(),
            PublicInterface,
            PublicKey?.Value ?? throw Incomplete(),
            PrivateKeyFile ?? throw Incomplete(),
            new TunnelAddresses(tunnel.IPv4?.Value, tunnel.IPv4Network?.PrefixLength ?? 0, tunnel.IPv6?.Value, tunnel.IPv6Network?.PrefixLength ?? 0),
            [.. AllowForwardFrom])
        {
            PairAddress = PairAddress,
            VrrpPriority = VrrpPriority,
        };
    }

    private static InvalidOperationException Incomplete() => new("a hub draft with errors cannot become a HubNode");
}

/// <summary>The hub's tunnel addresses; each present address comes with the network it defines.</summary>
internal sealed record HubTunnelDraft(Located<IPAddress>? IPv4, IPNetwork? IPv4Network, Located<IPAddress>? IPv6, IPNetwork? IPv6Network)
{
    public IPNetwork? NetworkOf(System.Net.Sockets.AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetwork ? IPv4Network : IPv6Network;

    public Located<IPAddress>? AddressOf(System.Net.Sockets.AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetwork ? IPv4 : IPv6;
}
