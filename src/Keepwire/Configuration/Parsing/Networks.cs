using System.Net;
using System.Net.Sockets;

namespace Keepwire.Configuration.Parsing;

/// <summary>Address arithmetic for tunnel networks: addresses as 128-bit numbers, offsets from a network's base.</summary>
internal static class Networks
{
    public static int Bits(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    public static UInt128 ToNumber(IPAddress address)
    {
        UInt128 number = 0;
        foreach (var b in address.GetAddressBytes())
            number = (number << 8) | b;
        return number;
    }

    public static IPAddress FromNumber(UInt128 number, AddressFamily family)
    {
        var bytes = new byte[Bits(family) / 8];
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(number & 0xff);
            number >>= 8;
        }

        return new IPAddress(bytes);
    }

    public static IPNetwork Containing(IPAddress address, int prefixLength)
    {
        var hostBits = Bits(address.AddressFamily) - prefixLength;
        var baseNumber = hostBits >= 128 ? 0 : ToNumber(address) >> hostBits << hostBits;
        return new IPNetwork(FromNumber(baseNumber, address.AddressFamily), prefixLength);
    }

    /// <summary>The highest address of the network (the IPv4 broadcast address).</summary>
    public static UInt128 LastNumber(IPNetwork network)
    {
        var hostBits = Bits(network.BaseAddress.AddressFamily) - network.PrefixLength;
        var hostMask = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return ToNumber(network.BaseAddress) | hostMask;
    }

    /// <summary>
    /// Whether an address may be given to a node: inside the network, not the network address itself
    /// (IPv6's subnet-router anycast address), and for IPv4 not the broadcast address.
    /// </summary>
    public static bool IsUsableHost(IPNetwork network, IPAddress address, out string? reason)
    {
        reason = null;
        var number = ToNumber(address);
        if (number == ToNumber(network.BaseAddress))
            reason = $"{address} is the network address of {network}";
        else if (address.AddressFamily == AddressFamily.InterNetwork && number == LastNumber(network))
            reason = $"{address} is the broadcast address of {network}";
        return reason is null;
    }
}
