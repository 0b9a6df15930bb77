using System.Net;
using System.Net.Sockets;

namespace Keepwire.Model;

/// <summary>
/// A service's server on the LAN behind a router site: the hub forwards to the site's tunnel address as for any
/// site, and the agent on the router DNATs what arrives there for the service's ports on to this server.
/// </summary>
/// <param name="IPv4">The LAN server's IPv4 address: where IPv4 clients go, and the hub's checks when the site has an IPv4 tunnel address.</param>
/// <param name="IPv6">The LAN server's IPv6 address, for IPv6 clients.</param>
/// <param name="Masquerade">
/// The router also masquerades the forwarded connections to its own LAN address, for a LAN whose servers do not
/// route back through the router; the server then sees the router's address instead of the client's.
/// </param>
public sealed record SiteBackend(IPAddress? IPv4, IPAddress? IPv6, bool Masquerade)
{
    public IEnumerable<IPAddress> All => new[] { IPv4, IPv6 }.OfType<IPAddress>();

    public IPAddress? AddressOf(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IPv6 : IPv4;

    public override string ToString() => string.Join(", ", All) + (Masquerade ? " (masquerade)" : "");
}
