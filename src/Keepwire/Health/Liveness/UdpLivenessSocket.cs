using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Posix;

namespace Keepwire.Health.Liveness;

/// <summary>
/// A UDP socket on any address and a free port: the kernel picks the hub's tunnel address as the source, since the
/// sites' tunnel addresses route through the WireGuard interface. Nothing waits: sends fail when the buffer is full,
/// answers are read when the monitor drains them (<see cref="DatagramReader"/>, with the kernel's receive time).
/// </summary>
public sealed class UdpLivenessSocket : ILivenessSocket
{
    private readonly Socket _socket;

    public UdpLivenessSocket(AddressFamily family)
    {
        _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        try
        {
            _socket.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
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

    public bool TryReceive(Span<byte> buffer, out LivenessDatagram datagram)
    {
        datagram = default;
        try
        {
            if (!DatagramReader.TryRead(_socket, buffer, out var read))
                return false;
            datagram = new LivenessDatagram(read.Length, read.Source, read.InterfaceIndex, read.ReceivedAt);
            return true;
        }
        catch (SocketException)
        {
            // An error the kernel queued on the socket: that read is lost, the next beat reads on.
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
