using System.Net;
using System.Net.Sockets;

namespace Keepwire.Health.Liveness;

/// <summary>
/// A UDP socket on any address and a free port: the kernel picks the hub's tunnel address as the source, since the
/// sites' tunnel addresses route through the WireGuard interface. Sends are non-blocking.
/// </summary>
public sealed class UdpLivenessSocket : ILivenessSocket
{
    private readonly Socket _socket;
    private readonly EndPoint _any;

    public UdpLivenessSocket(AddressFamily family)
    {
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        _any = new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        _socket.Bind(_any);
    }

    public bool HasUnread => _socket.Available > 0;

    public bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram)
    {
        try
        {
            return _socket.SendTo(datagram, SocketFlags.None, site) == datagram.Length;
        }
        catch (SocketException)
        {
            // WouldBlock (the buffer is full), no route, unreachable: the datagram is lost, as on the wire.
            return false;
        }
    }

    public async ValueTask<LivenessDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var received = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, _any, cancellationToken);
                return new LivenessDatagram(received.ReceivedBytes, ((IPEndPoint)received.RemoteEndPoint).Address, received.PacketInformation.Interface);
            }
            catch (SocketException)
            {
                // An ICMP error of an earlier send (port unreachable: the agent is not answering) surfaces here; keep reading.
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
