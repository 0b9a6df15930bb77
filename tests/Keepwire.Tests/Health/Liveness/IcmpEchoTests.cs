using System.Buffers.Binary;
using System.Net.Sockets;
using Keepwire.Health.Liveness;

namespace Keepwire.Tests.Health.Liveness;

/// <summary>The echo messages that carry the liveness datagram to a site without an agent, and the replies that bring it back.</summary>
public sealed class IcmpEchoTests
{
    private static readonly byte[] Datagram = Liveness(0x0102_0304_0506_0708);

    private static byte[] Liveness(ulong seq)
    {
        var bytes = new byte[LivenessEcho.Size];
        LivenessEcho.Write(seq, bytes);
        return bytes;
    }

    [Fact]
    public void An_ipv4_request_is_an_echo_request_with_a_valid_checksum_the_identifier_and_the_low_bits_of_the_number()
    {
        var request = new byte[64];

        var length = IcmpEcho.WriteRequest(AddressFamily.InterNetwork, 0xbeef, 0x0102_0304_0506_0708, Datagram, request);

        var message = request.AsSpan(0, length);
        Assert.Equal(IcmpEcho.HeaderSize + LivenessEcho.Size, length);
        Assert.Equal((8, 0), (message[0], message[1]));
        Assert.Equal(0, IcmpEcho.Checksum(message));
        Assert.Equal(0xbeef, BinaryPrimitives.ReadUInt16BigEndian(message[4..]));
        Assert.Equal(0x0708, BinaryPrimitives.ReadUInt16BigEndian(message[6..]));
        Assert.Equal(Datagram, message[IcmpEcho.HeaderSize..].ToArray());
    }

    [Fact]
    public void An_ipv6_request_leaves_the_checksum_to_the_kernel()
    {
        var request = new byte[64];

        var length = IcmpEcho.WriteRequest(AddressFamily.InterNetworkV6, 0xbeef, 1, Datagram, request);

        Assert.Equal((128, 0, 0, 0), (request[0], request[1], request[2], request[3]));
        Assert.Equal(Datagram, request.AsSpan(IcmpEcho.HeaderSize, length - IcmpEcho.HeaderSize).ToArray());
    }

    [Fact]
    public void An_ipv4_reply_is_read_past_its_ip_header_of_any_length()
    {
        foreach (var ipHeader in new[] { 20, 24 })
        {
            var packet = Ipv4Packet(ipHeader, Reply(0, 0xbeef));

            Assert.True(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, packet, out var data));
            Assert.Equal(Datagram, data.ToArray());
        }
    }

    [Fact]
    public void An_ipv6_reply_has_no_ip_header_on_a_raw_socket()
    {
        Assert.True(IcmpEcho.TryReadReply(AddressFamily.InterNetworkV6, 0xbeef, Reply(129, 0xbeef), out var data));
        Assert.Equal(Datagram, data.ToArray());
    }

    [Fact]
    public void Other_programs_pings_other_messages_and_cut_packets_are_not_replies()
    {
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, Ipv4Packet(20, Reply(0, 0xcafe)), out _));
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, Ipv4Packet(20, Reply(8, 0xbeef)), out _));
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, Ipv4Packet(20, Reply(0, 0xbeef)).AsSpan(0, 25), out _));
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, new byte[10], out _));
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetworkV6, 0xbeef, Reply(128, 0xbeef), out _));
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetworkV6, 0xbeef, Reply(129, 0xbeef).AsSpan(0, 7), out _));
        // An IPv4 header that claims more than the packet holds.
        var lying = Ipv4Packet(20, Reply(0, 0xbeef));
        lying[0] = 0x4f;
        Assert.False(IcmpEcho.TryReadReply(AddressFamily.InterNetwork, 0xbeef, lying.AsSpan(0, 40), out _));
    }

    private static byte[] Reply(byte type, ushort identifier)
    {
        var message = new byte[IcmpEcho.HeaderSize + Datagram.Length];
        message[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), identifier);
        Datagram.CopyTo(message, IcmpEcho.HeaderSize);
        return message;
    }

    private static byte[] Ipv4Packet(int headerLength, byte[] message)
    {
        var packet = new byte[headerLength + message.Length];
        packet[0] = (byte)(0x40 | (headerLength / 4));
        packet[9] = 1;
        message.CopyTo(packet, headerLength);
        return packet;
    }
}
