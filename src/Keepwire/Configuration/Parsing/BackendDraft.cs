using System.Net;
using System.Net.Sockets;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>One entry of a service's <c>backends:</c> as read from the file: the router site and the LAN server behind it.</summary>
/// <param name="site">The site name, located at its key.</param>
/// <param name="node">The entry's value: where problems with the server as a whole belong.</param>
internal sealed class BackendDraft(Located<string> site, YamlNode node)
{
    public Located<string> Site { get; } = site;

    public YamlNode Node { get; } = node;

    public Located<IPAddress>? IPv4 { get; set; }

    public Located<IPAddress>? IPv6 { get; set; }

    public bool Masquerade { get; set; }

    public IEnumerable<Located<IPAddress>> Addresses => new[] { IPv4, IPv6 }.OfType<Located<IPAddress>>();

    public Located<IPAddress>? AddressOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IPv6 : IPv4;

    public SiteBackend ToBackend() => new(IPv4?.Value, IPv6?.Value, Masquerade);
}
