using System.Net;
using System.Net.Sockets;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The liveness stream for sites that run no agent: each liveness datagram goes out as the data of an ICMP (or ICMPv6)
/// echo request to the site's tunnel address, which any host's kernel answers, and the data of the echo reply comes
/// back as the answer. A raw socket (the hub has CAP_NET_RAW) with the kernel's filter set to echo replies only, so
/// other ICMP traffic never wakes it; replies to other programs' pings still arrive (a raw socket sees them all) and
/// are skipped by their identifier, a random one per socket. Sends are non-blocking.
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
    private readonly EndPoint _any;
    private readonly byte[] _request = new byte[IcmpEcho.HeaderSize + LivenessEcho.Size];
    private readonly byte[] _received = new byte[1500];

    /// <summary>
    /// Set by the first send. .NET receives only on a socket it knows an endpoint of (bound, connected or sent from),
    /// and binding a raw ICMPv6 socket to <c>::</c> makes it ask for IPv4 packet information, which the kernel refuses
    /// for raw ICMPv6; so receiving waits for the first request, before which no reply can come anyway.
    /// </summary>
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            // The interface a reply came in on proves it came through the tunnel; .NET turns this on by itself for a
            // bound UDP socket only.
            _socket.SetSocketOption(v6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
    }

    public bool HasUnread => _socket.Available > 0;

    public bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram)
    {
        var seq = LivenessEcho.TryRead(datagram, out var number) ? number : 0;
        var length = IcmpEcho.WriteRequest(_family, _identifier, seq, datagram, _request);
        try
        {
            var sent = _socket.SendTo(_request.AsSpan(0, length), SocketFlags.None, new IPEndPoint(site.Address, 0)) == length;
            _sent.TrySetResult();
            return sent;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask<LivenessDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _sent.Task.WaitAsync(cancellationToken);
        while (true)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await _socket.ReceiveMessageFromAsync(_received, SocketFlags.None, _any, cancellationToken);
            }
            catch (SocketException)
            {
                continue;
            }
            if (!IcmpEcho.TryReadReply(_family, _identifier, _received.AsSpan(0, received.ReceivedBytes), out var data))
                continue;
            // One byte more than the buffer holds is still "too long" for the monitor, as with UDP.
            var length = Math.Min(data.Length, buffer.Length);
            data[..length].CopyTo(buffer.Span);
            return new LivenessDatagram(length, ((IPEndPoint)received.RemoteEndPoint).Address, received.PacketInformation.Interface);
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
