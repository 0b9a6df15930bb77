using System.Buffers.Binary;
using Keepwire.Adapters.Posix;

namespace Keepwire.Adapters.Nftables;

/// <summary>
/// The ruleset generation of the daemon's network namespace, asked from the kernel over netlink
/// (<c>NFT_MSG_GETGEN</c>, what <c>nft</c> itself asks before every command). The kernel counts up by one with
/// every committed nftables transaction, in any table and by anyone, and never otherwise: while it stays the same,
/// no table can have changed. So a reconcile pass that finds it unchanged since it last saw its table as desired
/// can skip listing the table (two <c>nft</c> runs), which is most of what an idle hub's pass cost.
/// </summary>
public sealed class NftablesGeneration
{
    private const int MessageNewGeneration = (SubsystemNftables << 8) | 15;
    private const int MessageGetGeneration = (SubsystemNftables << 8) | 16;
    private const int SubsystemNftables = 10;
    private const int MessageError = 2;
    private const ushort FlagRequest = 1;
    private const int GenerationIdAttribute = 1;
    private const int GenericHeaderLength = 4;
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(1);

    private uint _sequence;

    /// <summary>The current generation, or null when the kernel cannot be asked (the caller then lists as before).</summary>
    public uint? Read()
    {
        try
        {
            using var socket = NetlinkSocket.Open(NetlinkSocket.NetfilterProtocol, groups: 0, AnswerTimeout);
            var sequence = ++_sequence;
            socket.Send(Request(sequence));
            Span<byte> answer = stackalloc byte[512];
            for (var i = 0; i < 4; i++)
            {
                var read = socket.Receive(answer, wait: true);
                if (read <= 0)
                    return null;
                if (ParseAnswer(answer[..read], sequence) is { } generation)
                    return generation;
                if (IsError(answer[..read]))
                    return null;
            }
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>struct nlmsghdr + struct nfgenmsg of a GETGEN request (family AF_UNSPEC, version 0).</summary>
    internal static byte[] Request(uint sequence)
    {
        var request = new byte[NetlinkSocket.HeaderLength + GenericHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(request, (uint)request.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), MessageGetGeneration);
        BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), FlagRequest);
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), sequence);
        return request;
    }

    /// <summary>
    /// The generation in the kernel's NEWGEN answer to request <paramref name="sequence"/>: attribute
    /// NFTA_GEN_ID, a big-endian u32. Null for any other message.
    /// </summary>
    internal static uint? ParseAnswer(ReadOnlySpan<byte> message, uint sequence)
    {
        if (message.Length < NetlinkSocket.HeaderLength + GenericHeaderLength)
            return null;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(message);
        if (length > message.Length
            || BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) != MessageNewGeneration
            || BinaryPrimitives.ReadUInt32LittleEndian(message[8..]) != sequence)
            return null;

        var attributes = message[(NetlinkSocket.HeaderLength + GenericHeaderLength)..(int)length];
        while (attributes.Length >= 4)
        {
            var attributeLength = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff;
            if (attributeLength < 4 || attributeLength > attributes.Length)
                return null;
            if (type == GenerationIdAttribute && attributeLength >= 8)
                return BinaryPrimitives.ReadUInt32BigEndian(attributes[4..]);
            // Attributes are padded to 4 bytes.
            var next = (attributeLength + 3) & ~3;
            attributes = next >= attributes.Length ? [] : attributes[next..];
        }
        return null;
    }

    private static bool IsError(ReadOnlySpan<byte> message) =>
        message.Length >= NetlinkSocket.HeaderLength && BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) == MessageError;
}
