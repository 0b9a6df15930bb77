using System.Net;

namespace Keepwire.Model;

/// <summary>
/// A node's addresses inside the WireGuard tunnel network. For a hub they carry the
/// network's prefix length (10.77.0.1/24); for a site they are host addresses.
/// At least one family is present.
/// </summary>
public sealed record TunnelAddresses(IPAddress? IPv4, int IPv4PrefixLength, IPAddress? IPv6, int IPv6PrefixLength)
{
    public IEnumerable<IPAddress> All
    {
        get
        {
            if (IPv4 is not null)
                yield return IPv4;
            if (IPv6 is not null)
                yield return IPv6;
        }
    }

    public static TunnelAddresses Host(IPAddress? ipv4, IPAddress? ipv6) => new(ipv4, 32, ipv6, 128);
}
