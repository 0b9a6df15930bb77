using System.Buffers.Binary;
using System.Net;
using Keepwire.Adapters.Nflog;
using Keepwire.Model;

namespace Keepwire.Tests.Adapters;

/// <summary>
/// The NFLOG messages byte for byte: the bind request the kernel's nfnetlink_log expects, and the refusals read back
/// from packet messages built here as the kernel lays them out (a site's RST, its ICMP and ICMPv6 port unreachable).
/// Anything else, or anything cut short, is not a refusal.
/// </summary>
public sealed class NflogMessagesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Site4 = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress Client4 = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress Site6 = IPAddress.Parse("fd77::2");
    private static readonly IPAddress Client6 = IPAddress.Parse("2001:db8::7");

    [Fact]
    public void The_bind_request_names_the_group_copies_packets_and_hands_each_over_at_once()
    {
        var message = NflogMessages.Bind(18230, sequence: 7);

        Assert.Equal((uint)message.Length, BinaryPrimitives.ReadUInt32LittleEndian(message));
        Assert.Equal(0x0401, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(4)));
        Assert.Equal(0x0005, BinaryPrimitives.ReadUInt16LittleEndian(message.AsSpan(6)));
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(8)));
        Assert.Equal(18230, BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(18)));
        var attributes = Attributes(message.AsSpan(20));
        Assert.Equal(new ushort[] { 1, 2, 5 }, attributes.Select(a => a.Type));
        Assert.Equal(new byte[] { 1 }, attributes[0].Value);
        Assert.Equal(NflogMessages.CopyRange, BinaryPrimitives.ReadUInt32BigEndian(attributes[1].Value));
        Assert.Equal(2, attributes[1].Value[4]);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(attributes[2].Value));
    }

    [Fact]
    public void A_sites_rst_is_a_refusal_of_its_port()
    {
        var refused = NflogMessages.ParsePacket(Packet(0x0800, IPv4(Site4, Client4, 6, Tcp(sourcePort: 80, destinationPort: 40000))), At);

        Assert.Equal(new RefusedFlowExpectation(Site4, TransportProtocol.Tcp, 80), Expect(refused));
    }

    [Fact]
    public void An_ipv6_rst_is_a_refusal_of_its_port()
    {
        var refused = NflogMessages.ParsePacket(Packet(0x86DD, IPv6(Site6, Client6, 6, Tcp(sourcePort: 443, destinationPort: 51000))), At);

        Assert.Equal(new RefusedFlowExpectation(Site6, TransportProtocol.Tcp, 443), Expect(refused));
    }

    [Fact]
    public void Port_unreachable_refuses_the_udp_port_it_quotes()
    {
        var quoted = IPv4(Client4, Site4, 17, Udp(sourcePort: 40000, destinationPort: 53));
        var refused = NflogMessages.ParsePacket(Packet(0x0800, IPv4(Site4, Client4, 1, Icmp(3, 3, quoted))), At);

        Assert.Equal(new RefusedFlowExpectation(Site4, TransportProtocol.Udp, 53), Expect(refused));
        Assert.Equal(At, refused!.At);
    }

    [Fact]
    public void Icmpv6_port_unreachable_refuses_the_udp_port_it_quotes()
    {
        var quoted = IPv6(Client6, Site6, 17, Udp(sourcePort: 40000, destinationPort: 4433));
        var refused = NflogMessages.ParsePacket(Packet(0x86DD, IPv6(Site6, Client6, 58, Icmp(1, 4, quoted))), At);

        Assert.Equal(new RefusedFlowExpectation(Site6, TransportProtocol.Udp, 4433), Expect(refused));
    }

    [Theory]
    [InlineData("other ICMP")]
    [InlineData("quoted TCP")]
    [InlineData("no payload")]
    [InlineData("cut IPv4 header")]
    [InlineData("cut quote")]
    [InlineData("wrong version")]
    [InlineData("attribute past the end")]
    [InlineData("unknown ethertype")]
    public void Anything_else_is_not_a_refusal(string what)
    {
        var udp = IPv4(Client4, Site4, 17, Udp(40000, 53));
        var body = what switch
        {
            "other ICMP" => Packet(0x0800, IPv4(Site4, Client4, 1, Icmp(3, 1, udp))),
            "quoted TCP" => Packet(0x0800, IPv4(Site4, Client4, 1, Icmp(3, 3, IPv4(Client4, Site4, 6, Tcp(40000, 80))))),
            "no payload" => Packet(0x0800, []),
            "cut IPv4 header" => Packet(0x0800, IPv4(Site4, Client4, 6, Tcp(80, 40000))[..19]),
            "cut quote" => Packet(0x0800, IPv4(Site4, Client4, 1, Icmp(3, 3, udp[..21]))),
            "wrong version" => Packet(0x0800, IPv6(Site6, Client6, 6, Tcp(80, 40000))),
            "attribute past the end" => Packet(0x0800, IPv4(Site4, Client4, 6, Tcp(80, 40000)))[..30],
            _ => Packet(0x0806, IPv4(Site4, Client4, 6, Tcp(80, 40000))),
        };

        Assert.Null(NflogMessages.ParsePacket(body, At));
    }

    [Fact]
    public void A_datagram_splits_into_its_messages_and_stops_at_one_cut_short()
    {
        var first = Message(NflogMessages.PacketMessage, Packet(0x0800, IPv4(Site4, Client4, 6, Tcp(80, 40000))));
        var second = Message(NflogMessages.ErrorMessage, [0, 0, 0, 0]);
        var cut = Message(NflogMessages.PacketMessage, new byte[40])[..30];

        var messages = NflogMessages.Split((byte[])[.. first, .. second, .. cut]).ToList();

        Assert.Equal(new[] { NflogMessages.PacketMessage, NflogMessages.ErrorMessage }, messages.Select(m => m.Type));
        Assert.Equal(0, NflogMessages.ParseError(messages[1].Body.Span));
        Assert.NotNull(NflogMessages.ParsePacket(messages[0].Body.Span, At));
    }

    [Fact]
    public void An_error_answer_carries_the_errno()
    {
        var ebusy = new byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(ebusy, -16);

        Assert.Equal(16, NflogMessages.ParseError(ebusy));
        Assert.Null(NflogMessages.ParseError(new byte[2]));
    }

    private sealed record RefusedFlowExpectation(IPAddress Site, TransportProtocol Protocol, int Port);

    private static RefusedFlowExpectation? Expect(Keepwire.Engine.RefusedFlow? refused) =>
        refused is null ? null : new(refused.Site, refused.Protocol, refused.Port);

    /// <summary>The body of an NFLOG packet message: nfgenmsg, the packet header (its ethertype), the payload.</summary>
    private static byte[] Packet(ushort etherType, byte[] payload)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, etherType);
        header[2] = 2; // hook: forward
        return [2, 0, 0x47, 0x36, .. Attribute(1, header), .. Attribute(10, "kw\0"u8.ToArray()), .. Attribute(9, payload)];
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var attribute = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        value.CopyTo(attribute, 4);
        return attribute;
    }

    private static byte[] Message(ushort type, byte[] body)
    {
        var message = new byte[(16 + body.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)(16 + body.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        body.CopyTo(message, 16);
        return message;
    }

    private static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> bytes)
    {
        var attributes = new List<(ushort, byte[])>();
        while (bytes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            attributes.Add((BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]), bytes[4..length].ToArray()));
            bytes = bytes[Math.Min(bytes.Length, (length + 3) & ~3)..];
        }
        return attributes;
    }

    private static byte[] IPv4(IPAddress source, IPAddress destination, byte protocol, byte[] transport)
    {
        var header = new byte[20];
        header[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(20 + transport.Length));
        header[8] = 64;
        header[9] = protocol;
        source.GetAddressBytes().CopyTo(header, 12);
        destination.GetAddressBytes().CopyTo(header, 16);
        return [.. header, .. transport];
    }

    private static byte[] IPv6(IPAddress source, IPAddress destination, byte nextHeader, byte[] transport)
    {
        var header = new byte[40];
        header[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), (ushort)transport.Length);
        header[6] = nextHeader;
        header[7] = 64;
        source.GetAddressBytes().CopyTo(header, 8);
        destination.GetAddressBytes().CopyTo(header, 24);
        return [.. header, .. transport];
    }

    /// <summary>A RST answering a SYN: sequence 0, RST and ACK set.</summary>
    private static byte[] Tcp(ushort sourcePort, ushort destinationPort)
    {
        var header = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), destinationPort);
        header[12] = 0x50;
        header[13] = 0x14;
        return header;
    }

    private static byte[] Udp(ushort sourcePort, ushort destinationPort)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(header, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), destinationPort);
        return header;
    }

    private static byte[] Icmp(byte type, byte code, byte[] quoted) => [type, code, 0, 0, 0, 0, 0, 0, .. quoted];
}
