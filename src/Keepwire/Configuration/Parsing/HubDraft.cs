using System.Net;
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

    public int? ListenPort { get; set; }

    public string? Interface { get; set; }

    public string? PublicInterface { get; set; }

    public Located<WireGuardKey>? PublicKey { get; set; }

    public string? PrivateKeyFile { get; set; }

    public HubTunnelDraft? Tunnel { get; set; }

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
            [.. AllowForwardFrom]);
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
