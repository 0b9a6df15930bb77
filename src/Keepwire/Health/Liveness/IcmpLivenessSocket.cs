using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Posix;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The liveness stream for sites that run no agent: each liveness datagram goes out as the data of an ICMP (or ICMPv6)
/// echo request to the site's tunnel address, which any host's kernel answers, and the data of the echo reply comes
/// back as the answer. A raw socket (the hub has CAP_NET_RAW) with the kernel's filter set to echo replies only, so
/// other ICMP traffic never wakes it; replies to other programs' pings still arrive (a raw socket sees them all) and
/// are skipped by their identifier, a random one per socket. Nothing waits: sends fail when the buffer is full, replies
/// are read when the monitor drains them (<see cref="DatagramReader"/>, with the kernel's receive time).
/// </summary>
public sealed class IcmpLivenessSocket : ILivenessSocket
{
    // <linux/icmp.h> ICMP_FILTER on SOL_RAW: a bit set drops that ICMP type. <netinet/icmp6.h> ICMP6_FILTER: the same
    // for ICMPv6, 256 bits.
    private const int SolRaw = 255;
    private const int IcmpFilter = 1;
    private const int IpProtoIcmpV6 = 58;
    private const int Icmp6Filter = 1;
    private const int EchoReply6 = 129;

    private readonly Socket _socket;
    private readonly AddressFamily _family;
    private readonly ushort _identifier = (ushort)Random.Shared.Next(1, ushort.MaxValue);
    private readonly byte[] _request = new byte[IcmpEcho.HeaderSize + LivenessEcho.Size];
    private readonly byte[] _received = new byte[1500];

    public IcmpLivenessSocket(AddressFamily family)
    {
        _family = family;
        var v6 = family == AddressFamily.InterNetworkV6;
        _socket = new Socket(family, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp) { Blocking = false };
        try
        {
            if (v6)
                _socket.SetRawSocketOption(IpProtoIcmpV6, Icmp6Filter, EchoRepliesOnly6());
            else
                _socket.SetRawSocketOption(SolRaw, IcmpFilter, BitConverter.GetBytes(~1u));
            // The interface a reply came in on proves it came through the tunnel.
            DatagramReader.EnableReceiveInfo(_socket);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram)
    {
        var seq = LivenessEcho.TryRead(datagram, out var number) ? number : 0;
        var length = IcmpEcho.WriteRequest(_family, _identifier, seq, datagram, _request);
        try
        {
            return _socket.SendTo(_request.AsSpan(0, length), SocketFlags.None, new IPEndPoint(site.Address, 0)) == length;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public bool TryReceive(Span<byte> buffer, out LivenessDatagram datagram)
    {
        while (true)
        {
            ReadDatagram read;
            try
            {
                if (!DatagramReader.TryRead(_socket, _received, out read))
                {
                    datagram = default;
                    return false;
                }
            }
            catch (SocketException)
            {
                // An error the kernel queued on the socket: that read is lost, the next beat reads on.
                datagram = default;
                return false;
            }
            // Replies to other programs' pings, and other ICMP the filter let through, are skipped.
            if (!IcmpEcho.TryReadReply(_family, _identifier, _received.AsSpan(0, read.Length), out var data))
                continue;
            // One byte more than the buffer holds is still "too long" for the monitor, as with UDP.
            var length = Math.Min(data.Length, buffer.Length);
            data[..length].CopyTo(buffer);
            datagram = new LivenessDatagram(length, read.Source, read.InterfaceIndex, read.ReceivedAt);
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>struct icmp6_filter with every type blocked but the echo reply (ICMP6_FILTER_SETBLOCKALL, then SETPASS 129).</summary>
    private static byte[] EchoRepliesOnly6()
    {
        var filter = new byte[32];
        for (var word = 0; word < 8; word++)
        {
            var bits = word == EchoReply6 >> 5 ? ~(1u << (EchoReply6 & 31)) : uint.MaxValue;
            BitConverter.TryWriteBytes(filter.AsSpan(word * 4), bits);
        }
        return filter;
    }
}
