using System.Buffers.Binary;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The liveness datagram, the same both ways: the hub sends it to a site's tunnel address on <see cref="Port"/>, the
/// site agent sends the very bytes back. Four bytes of magic ("KWLV") and a 64-bit big-endian sequence number:
/// 12 bytes, a 40-byte IPv4 packet and one WireGuard data packet of 80 bytes on the wire. It carries no state and
/// no claim: an answer only proves that the site's WireGuard peer and its agent are alive.
/// </summary>
public static class LivenessEcho
{
    /// <summary>The UDP port the site agent answers on, on its tunnel addresses only.</summary>
    public const int Port = 51823;

    public const int Size = 12;

    private static ReadOnlySpan<byte> Magic => "KWLV"u8;

    public static void Write(ulong seq, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[4..], seq);
    }

    /// <summary>False for anything that is not exactly one liveness datagram.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out ulong seq)
    {
        seq = 0;
        if (datagram.Length != Size || !datagram[..4].SequenceEqual(Magic))
            return false;
        seq = BinaryPrimitives.ReadUInt64BigEndian(datagram[4..]);
        return true;
    }
}
