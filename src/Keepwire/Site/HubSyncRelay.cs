using System.Net;
using System.Net.Sockets;

namespace Keepwire.Site;

/// <summary>
/// Relays the hubs' sync datagrams through this site, so two hubs that cannot reach each other directly (a
/// partition of the hubs' own link) still hear each other through every site's tunnels. A datagram from one
/// hub's tunnel address goes out unchanged to every other hub's tunnel address; anything else is dropped and
/// counted. The payload is never parsed or logged: the hubs authenticate it themselves, so a site that relays
/// cannot forge or alter a message unnoticed.
/// </summary>
public sealed class HubSyncRelay : IDisposable
{
    private const int MaxDatagram = 65535;

    private readonly IReadOnlyList<IPAddress> _listenAddresses;
    private readonly IReadOnlyList<IPAddress> _hubs;
    private readonly int _port;
    private readonly Dictionary<IPAddress, Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private long _relayed;
    private long _dropped;
    private long _sendFailures;

    /// <param name="listenAddresses">The site's tunnel addresses, where the hubs send to.</param>
    /// <param name="hubAddresses">Every hub's tunnel addresses: the only sources relayed, and the destinations.</param>
    public HubSyncRelay(IReadOnlyList<IPAddress> listenAddresses, IReadOnlyList<IPAddress> hubAddresses, int port)
    {
        _listenAddresses = listenAddresses;
        _hubs = hubAddresses;
        _port = port;
    }

    public int Port => _port;

    /// <summary>
    /// Starts listening on the addresses not listened on yet; returns how many are listened on now. Called every
    /// pass, because the tunnel addresses exist only once the reconciler has added them.
    /// </summary>
    public int EnsureListening()
    {
        foreach (var address in _listenAddresses.Where(a => !_sockets.ContainsKey(a)))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(address, _port));
            }
            catch (SocketException)
            {
                // The address is not there yet (or the port is taken): try again next pass.
                socket.Dispose();
                continue;
            }

            _sockets[address] = socket;
            _ = RelayLoopAsync(socket);
        }

        return _sockets.Count;
    }

    public HubSyncRelayCounters Counters =>
        new(_port, _sockets.Count, Interlocked.Read(ref _relayed), Interlocked.Read(ref _dropped), Interlocked.Read(ref _sendFailures));

    /// <summary>Where a datagram from <paramref name="source"/> goes: every other hub of its family; nowhere when the source is not a hub.</summary>
    internal static IReadOnlyList<IPAddress> Destinations(IPAddress source, IReadOnlyList<IPAddress> hubs) =>
        hubs.Contains(source) ? [.. hubs.Where(hub => !hub.Equals(source) && hub.AddressFamily == source.AddressFamily)] : [];

    private async Task RelayLoopAsync(Socket socket)
    {
        var buffer = new byte[MaxDatagram];
        // Taken once: Dispose may dispose the source while this loop is still winding down.
        var stopping = _stop.Token;
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var destinations = Destinations(((IPEndPoint)received.RemoteEndPoint).Address, _hubs);
            if (destinations.Count == 0)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            foreach (var destination in destinations)
            {
                try
                {
                    await socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, new IPEndPoint(destination, _port), stopping);
                    Interlocked.Increment(ref _relayed);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // No route to that hub's tunnel right now; the hub sends again within one advert interval.
                    Interlocked.Increment(ref _sendFailures);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var socket in _sockets.Values)
            socket.Dispose();
        _sockets.Clear();
        _stop.Dispose();
    }
}

/// <param name="Listening">How many of the site's tunnel addresses the relay listens on.</param>
/// <param name="Relayed">Datagrams sent on to another hub (one datagram to two hubs counts twice).</param>
/// <param name="Dropped">Datagrams that did not come from a hub's tunnel address.</param>
/// <param name="SendFailures">Datagrams that could not be sent on.</param>
public sealed record HubSyncRelayCounters(int Port, int Listening, long Relayed, long Dropped, long SendFailures);
