using System.Net;
using System.Net.Sockets;

namespace Keepwire.Adapters.Nftables;

/// <summary>The one place that decides how addresses and prefixes are written in nft elements, for writing and reading alike.</summary>
public static class NftText
{
    public static string Address(IPAddress address) => address.ToString();

    /// <summary>A prefix as nft lists it: a full-length prefix (/32, /128) is a plain address.</summary>
    public static string Prefix(IPAddress address, int length)
    {
        var full = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        return length == full ? Address(address) : $"{Address(address)}/{length}";
    }

    public static string Prefix(IPNetwork network) => Prefix(network.BaseAddress, network.PrefixLength);
}
