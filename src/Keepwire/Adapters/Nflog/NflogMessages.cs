using System.Buffers.Binary;
using System.Net;
using Keepwire.Adapters.Posix;
using Keepwire.Engine;
using Keepwire.Model;

namespace Keepwire.Adapters.Nflog;

/// <summary>
/// The two netlink messages of nfnetlink_log (NFLOG) the hub needs: the one that binds a log group to its socket
/// (copying the first bytes of every packet, handed over at once rather than batched), and the packet message the
/// kernel sends for every packet a <c>log group N</c> rule matched. Only what the refusal rules log is read:
/// a site's TCP RST, or its ICMP / ICMPv6 port unreachable; anything else is not a refusal and yields null.
/// </summary>
internal static class NflogMessages
{
    /// <summary>NFNL_SUBSYS_ULOG: nfnetlink_log's subsystem.</summary>
    private const int Subsystem = 4;

    /// <summary>NFULNL_MSG_PACKET: a logged packet.</summary>
    public const ushort PacketMessage = (Subsystem << 8) | 0;

    /// <summary>NFULNL_MSG_CONFIG: binds or configures a group.</summary>
    private const ushort ConfigMessage = (Subsystem << 8) | 1;

    private const ushort FlagRequest = 0x1;
    private const ushort FlagAck = 0x4;
    private const int GenericHeaderLength = 4;
    private const int AttributeHeaderLength = 4;
    private const ushort AttributeTypeMask = 0x3fff;

    // enum nfulnl_msg_config_attrs
    private const ushort ConfigCommand = 1;
    private const ushort ConfigMode = 2;
    private const ushort ConfigQueueThreshold = 5;

    /// <summary>NFULNL_CFG_CMD_BIND.</summary>
    private const byte CommandBind = 1;

    /// <summary>NFULNL_COPY_PACKET: the packet's first bytes, from the network header.</summary>
    private const byte CopyPacket = 2;

    // enum nfulnl_attr_type
    private const ushort PacketHeader = 1;
    private const ushort Payload = 9;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const byte ProtocolIcmp = 1;
    private const byte ProtocolTcp = 6;
    private const byte ProtocolUdp = 17;
    private const byte ProtocolIcmpv6 = 58;
    private const int IPv6HeaderLength = 40;
    private const int IcmpHeaderLength = 8;

    /// <summary>
    /// Bytes of each packet copied: an IPv6 header, an ICMPv6 header and the IPv6 and UDP headers it quotes
    /// (40 + 8 + 40 + 8 = 96), with room for IPv4 options.
    /// </summary>
    public const uint CopyRange = 128;

    /// <summary>
    /// One request: bind <paramref name="group"/> to this socket, copy <see cref="CopyRange"/> bytes of each
    /// packet, and hand every packet over at once (a queue threshold of 1: the kernel's default of 100 packets or
    /// one second would hold the first refusal back for a second, which is all the time a failover has).
    /// </summary>
    public static byte[] Bind(ushort group, uint sequence)
    {
        // nlmsghdr, nfgenmsg, then three attributes: the command (1 byte, padded), the mode (struct nfulnl_msg_config_mode,
        // 6 bytes packed, sent as 8: the kernel asks for at least its size) and the queue threshold.
        var length = NetlinkSocket.HeaderLength + GenericHeaderLength + (AttributeHeaderLength + 4) + (AttributeHeaderLength + 8) + (AttributeHeaderLength + 4);
        var message = new byte[length];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], ConfigMessage);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], FlagRequest | FlagAck);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], sequence);
        // nfgenmsg: family AF_UNSPEC, version NFNETLINK_V0, res_id = the group in network order.
        BinaryPrimitives.WriteUInt16BigEndian(span[18..], group);

        var at = NetlinkSocket.HeaderLength + GenericHeaderLength;
        at = Attribute(span, at, ConfigCommand, [CommandBind]);
        Span<byte> mode = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(mode, CopyRange);
        mode[4] = CopyPacket;
        at = Attribute(span, at, ConfigMode, mode);
        Span<byte> threshold = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(threshold, 1);
        Attribute(span, at, ConfigQueueThreshold, threshold);
        return message;
    }

    /// <summary>Writes one attribute at <paramref name="at"/>; returns where the next one starts (4-byte aligned).</summary>
    private static int Attribute(Span<byte> message, int at, ushort type, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(message[at..], (ushort)(AttributeHeaderLength + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(message[(at + 2)..], type);
        value.CopyTo(message[(at + AttributeHeaderLength)..]);
        return at + Align(AttributeHeaderLength + value.Length);
    }

    private static int Align(int length) => (length + 3) & ~3;

    /// <summary>
    /// The netlink messages in one datagram the socket received (the kernel packs several into one), each as
    /// its type and its body after the nlmsghdr. Stops at the first one whose length does not fit.
    /// </summary>
    public static IEnumerable<(ushort Type, ReadOnlyMemory<byte> Body)> Split(ReadOnlyMemory<byte> datagram)
    {
        var at = 0;
        while (datagram.Length - at >= NetlinkSocket.HeaderLength)
        {
            var header = datagram.Span[at..];
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length < NetlinkSocket.HeaderLength || length > datagram.Length - at)
                yield break;
            yield return (BinaryPrimitives.ReadUInt16LittleEndian(header[4..]), datagram.Slice(at + NetlinkSocket.HeaderLength, length - NetlinkSocket.HeaderLength));
            at += Align(length);
        }
    }

    /// <summary>NLMSG_ERROR: the kernel's answer to a request with <c>NLM_F_ACK</c>, error 0 when it succeeded.</summary>
    public const ushort ErrorMessage = 2;

    /// <summary>The errno an NLMSG_ERROR body carries (0: success), or null when the body is too short.</summary>
    public static int? ParseError(ReadOnlySpan<byte> body) =>
        body.Length >= 4 ? -BinaryPrimitives.ReadInt32LittleEndian(body) : null;

    /// <summary>
    /// The refusal in one NFLOG packet message's body (after the nlmsghdr): who refused, and on which of its
    /// ports. Null when the body is malformed or the packet is not a refusal.
    /// </summary>
    public static RefusedFlow? ParsePacket(ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        if (body.Length < GenericHeaderLength)
            return null;
        ushort? etherType = null;
        ReadOnlySpan<byte> payload = default;
        var offset = GenericHeaderLength;
        while (body.Length - offset >= AttributeHeaderLength)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(body[offset..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(body[(offset + 2)..]) & AttributeTypeMask);
            if (length < AttributeHeaderLength || length > body.Length - offset)
                return null;
            var value = body.Slice(offset + AttributeHeaderLength, length - AttributeHeaderLength);
            if (type == PacketHeader && value.Length >= 2)
                etherType = BinaryPrimitives.ReadUInt16BigEndian(value);
            else if (type == Payload)
                payload = value;
            offset += Align(length);
        }
        return etherType switch
        {
            EtherTypeIPv4 => ParseIPv4(payload, at),
            EtherTypeIPv6 => ParseIPv6(payload, at),
            _ => null,
        };
    }

    private static RefusedFlow? ParseIPv4(ReadOnlySpan<byte> packet, DateTimeOffset at)
    {
        if (!IPv4Header(packet, out var headerLength, out var protocol))
            return null;
        var source = new IPAddress(packet.Slice(12, 4));
        var transport = packet[headerLength..];
        switch (protocol)
        {
            case ProtocolTcp when transport.Length >= 2:
                return new RefusedFlow(source, TransportProtocol.Tcp, BinaryPrimitives.ReadUInt16BigEndian(transport), at);
            // Port unreachable quotes the datagram the site got: its destination port is the site's port.
            case ProtocolIcmp when transport.Length >= IcmpHeaderLength && transport[0] == 3 && transport[1] == 3:
                var quoted = transport[IcmpHeaderLength..];
                if (!IPv4Header(quoted, out var quotedLength, out var quotedProtocol) || quotedProtocol != ProtocolUdp || quoted.Length < quotedLength + 4)
                    return null;
                return new RefusedFlow(source, TransportProtocol.Udp, BinaryPrimitives.ReadUInt16BigEndian(quoted[(quotedLength + 2)..]), at);
            default:
                return null;
        }
    }

    private static RefusedFlow? ParseIPv6(ReadOnlySpan<byte> packet, DateTimeOffset at)
    {
        if (!IPv6Header(packet, out var nextHeader))
            return null;
        var source = new IPAddress(packet.Slice(8, 16));
        var transport = packet[IPv6HeaderLength..];
        switch (nextHeader)
        {
            case ProtocolTcp when transport.Length >= 2:
                return new RefusedFlow(source, TransportProtocol.Tcp, BinaryPrimitives.ReadUInt16BigEndian(transport), at);
            case ProtocolIcmpv6 when transport.Length >= IcmpHeaderLength && transport[0] == 1 && transport[1] == 4:
                var quoted = transport[IcmpHeaderLength..];
                if (!IPv6Header(quoted, out var quotedNext) || quotedNext != ProtocolUdp || quoted.Length < IPv6HeaderLength + 4)
                    return null;
                return new RefusedFlow(source, TransportProtocol.Udp, BinaryPrimitives.ReadUInt16BigEndian(quoted[(IPv6HeaderLength + 2)..]), at);
            default:
                return null;
        }
    }

    private static bool IPv4Header(ReadOnlySpan<byte> packet, out int headerLength, out byte protocol)
    {
        headerLength = packet.Length >= 20 ? (packet[0] & 0x0f) * 4 : 0;
        protocol = packet.Length >= 20 ? packet[9] : (byte)0;
        return packet.Length >= 20 && packet[0] >> 4 == 4 && headerLength >= 20 && packet.Length >= headerLength;
    }

    private static bool IPv6Header(ReadOnlySpan<byte> packet, out byte nextHeader)
    {
        nextHeader = packet.Length >= IPv6HeaderLength ? packet[6] : (byte)0;
        return packet.Length >= IPv6HeaderLength && packet[0] >> 4 == 6;
    }
}
