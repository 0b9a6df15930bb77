using System.Net;
using System.Net.Sockets;

namespace Keepwire.Tests.Health;

internal static class Loopback
{
    /// <summary>A loopback TCP port nothing listens on (bound, then released).</summary>
    public static int ClosedTcpPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A loopback UDP port nothing listens on.</summary>
    public static int ClosedUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A listening socket whose accept queue is full, so Linux drops further SYNs and a connect
    /// hangs: the loopback stand-in for a site that went silent. Dispose the result.
    /// </summary>
    public static BlackholeListener Blackhole() => new();

    internal sealed class BlackholeListener : IDisposable
    {
        private readonly Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> fillers = [];

        public BlackholeListener()
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(0);
            Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            // With backlog 0 the queue holds one connection; a few more make sure it is full.
            for (var i = 0; i < 3; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                _ = filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
            }

            Thread.Sleep(100);
        }

        public int Port { get; }

        public void Dispose()
        {
            foreach (var filler in fillers)
                filler.Dispose();
            listener.Dispose();
        }
    }
}
