using System.Buffers.Binary;
using System.Net.Sockets;

namespace Keepwire.Health.Liveness;

/// <summary>
/// ICMP and ICMPv6 echo messages that carry a liveness datagram (<see cref="LivenessEcho"/>) as their data: the
/// echo reply returns the data unchanged (RFC 792, RFC 4443), so a reply is counted exactly like an agent's answer.
/// Pure; <see cref="IcmpLivenessSocket"/> puts them on a raw socket.
/// </summary>
public static class IcmpEcho
{
    public const int HeaderSize = 8;

    private const byte EchoRequest4 = 8;
    private const byte EchoReply4 = 0;
    private const byte EchoRequest6 = 128;
    private const byte EchoReply6 = 129;

    /// <summary>
    /// An echo request with <paramref name="identifier"/>, the low 16 bits of the liveness number as its sequence
    /// number and <paramref name="data"/> after the header. ICMPv6's checksum covers a pseudo-header the kernel knows
    /// and we do not: a raw ICMPv6 socket fills it in (RFC 3542), so it stays zero here.
    /// </summary>
    public static int WriteRequest(AddressFamily family, ushort identifier, ulong seq, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var message = destination[..(HeaderSize + data.Length)];
        message.Clear();
        message[0] = family == AddressFamily.InterNetworkV6 ? EchoRequest6 : EchoRequest4;
        BinaryPrimitives.WriteUInt16BigEndian(message[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(message[6..], (ushort)seq);
        data.CopyTo(message[HeaderSize..]);
        if (family == AddressFamily.InterNetwork)
            BinaryPrimitives.WriteUInt16BigEndian(message[2..], Checksum(message));
        return message.Length;
    }

    /// <summary>
    /// The data of an echo reply to <paramref name="identifier"/> in what a raw socket read: an IPv4 socket reads the
    /// IP header too, an IPv6 one does not. False for anything else (other ICMP messages, other programs' pings,
    /// anything cut short).
    /// </summary>
    public static bool TryReadReply(AddressFamily family, ushort identifier, ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> data)
    {
        data = default;
        var message = packet;
        if (family == AddressFamily.InterNetwork)
        {
            if (packet.Length < 20 || packet[0] >> 4 != 4)
                return false;
            var headerLength = (packet[0] & 0x0f) * 4;
            if (headerLength < 20 || packet.Length < headerLength)
                return false;
            message = packet[headerLength..];
        }
        var reply = family == AddressFamily.InterNetworkV6 ? EchoReply6 : EchoReply4;
        if (message.Length < HeaderSize || message[0] != reply || message[1] != 0 || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != identifier)
            return false;
        data = message[HeaderSize..];
        return true;
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="bytes"/>, with the checksum field zero.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> bytes)
    {
        uint sum = 0;
        var i = 0;
        for (; i + 1 < bytes.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]);
        if (i < bytes.Length)
            sum += (uint)bytes[i] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
