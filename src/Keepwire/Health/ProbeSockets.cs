using System.Net;
using System.Net.Sockets;

namespace Keepwire.Health;

/// <summary>Sockets for probes: the one descriptor an attempt holds.</summary>
internal static class ProbeSockets
{
    /// <summary>
    /// A socket towards <paramref name="address"/>. A TCP one closes abortively (SO_LINGER 0, a RST instead of a
    /// FIN exchange), as HAProxy closes its health checks: the probe has its answer, and an orderly close would
    /// cost two more packets each way and leave a TIME_WAIT entry (two minutes in the hub's conntrack table,
    /// which every failover's flush walks) for each of the twenty connections a second a default check makes.
    /// </summary>
    public static Socket Open(IPAddress address, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(address.AddressFamily, type, protocol);
        if (protocol == ProtocolType.Tcp)
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.NoDelay = true;
        }
        return socket;
    }
}
