using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Keepwire.Security;
using Microsoft.Extensions.Logging;

namespace Keepwire.Sync;

/// <summary>
/// The hub's hub-sync sockets, UDP on <c>sync_port</c>: one on the hub's own pair address, from which it
/// sends to the peer's pair address (the direct path), and one on each of its tunnel addresses, from which
/// it sends to every site's tunnel address; each site agent relays what comes from a hub's tunnel address,
/// unchanged, to the other hubs' tunnel addresses, so a partition between the hubs alone does not cut sync.
/// Nothing listens on any other address. Each socket may bind before its address exists (IP_FREEBIND): the
/// tunnel addresses appear with the hub's first reconcile pass. The tags, not the sources, make a message
/// trustworthy; the hub's nftables input chain admits the port only from the peer's pair address and
/// through the tunnel. Admitted messages go to a channel for the hub loop; everything else is counted by
/// reason, never logged with content. No send or encode failure escapes: each is counted and logged.
/// </summary>
public sealed partial class HubSyncChannel : IAsyncDisposable
{
    /// <summary>Linux socket options not named by .NET.</summary>
    private const int IpFreebind = 15;
    private const int Ipv6Freebind = 78;

    private readonly IReadOnlyList<SyncPath> _paths;
    private readonly IPAddress _peer;
    private readonly HubSyncCodec _codec;
    private readonly HubSyncAssembler _assembler;
    private readonly HubSyncReplayGuard _guard;
    private readonly Lock _receiving = new();
    private readonly ChannelWriter<ReceivedSyncMessage> _accepted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RejectionCounter<HubSyncRejection> _rejections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Socket> _sockets = [];
    private Task _running = Task.CompletedTask;
    private long _admitted;
    private long _sendFailures;
    private long _encodeFailures;

    /// <param name="port">hub_pair.sync_port: bound here, and the destination port on the peer and the sites.</param>
    /// <param name="ownPairAddress">This hub's pair address: the direct path's end here.</param>
    /// <param name="ownTunnelAddresses">This hub's tunnel addresses: where the sites' relays deliver, and the source the relays check.</param>
    /// <param name="peerPairAddress">The peer hub's pair address: the direct path.</param>
    /// <param name="relayAddresses">One tunnel address per site (its agent relays to the other hubs).</param>
    /// <param name="guard">Kept by the caller across a channel rebuilt on reload, so the peer's sequence carries over.</param>
    public HubSyncChannel(
        int port,
        IPAddress ownPairAddress,
        IReadOnlyList<IPAddress> ownTunnelAddresses,
        IPAddress peerPairAddress,
        IReadOnlyList<IPAddress> relayAddresses,
        HubSyncCodec codec,
        HubSyncReplayGuard guard,
        ChannelWriter<ReceivedSyncMessage> accepted,
        TimeProvider time,
        ILogger<HubSyncChannel> logger)
        : this(PathsFor(port, ownPairAddress, ownTunnelAddresses, peerPairAddress, relayAddresses), peerPairAddress, codec, guard, accepted, time, logger)
    {
    }

    /// <summary>For tests: one socket on any bind endpoint (port 0 included; [::] is dual-stack), sending to destinations on any ports.</summary>
    internal HubSyncChannel(
        IPEndPoint bind,
        IPAddress peerPairAddress,
        IReadOnlyList<IPEndPoint> destinations,
        HubSyncCodec codec,
        HubSyncReplayGuard guard,
        ChannelWriter<ReceivedSyncMessage> accepted,
        TimeProvider time,
        ILogger<HubSyncChannel> logger)
        : this([new SyncPath(bind, destinations)], peerPairAddress, codec, guard, accepted, time, logger)
    {
    }

    private HubSyncChannel(
        IReadOnlyList<SyncPath> paths,
        IPAddress peerPairAddress,
        HubSyncCodec codec,
        HubSyncReplayGuard guard,
        ChannelWriter<ReceivedSyncMessage> accepted,
        TimeProvider time,
        ILogger<HubSyncChannel> logger)
    {
        _paths = paths;
        _peer = Normalize(peerPairAddress);
        _codec = codec;
        _assembler = new HubSyncAssembler(codec);
        _guard = guard;
        _accepted = accepted;
        _time = time;
        _logger = logger;
    }

    /// <summary>The port of the first socket (the configured one, or the one the kernel chose for port 0).</summary>
    public int LocalPort => _sockets.Count > 0 && _sockets[0].LocalEndPoint is IPEndPoint local ? local.Port : 0;

    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Sends that failed at once (no route to a site yet, tunnel down); the other paths carry the message.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Messages that could not be encoded at all (over the protocol's limits): the peer did not hear them.</summary>
    public long EncodeFailures => Interlocked.Read(ref _encodeFailures);

    /// <summary>Datagrams not admitted so far, by reason. <see cref="HubSyncRejection.Duplicate"/> is normal: every relay delivers a copy.</summary>
    public IReadOnlyDictionary<HubSyncRejection, long> Rejections() => _rejections.Snapshot();

    /// <summary>Binds the sockets and starts receiving.</summary>
    /// <exception cref="InvalidOperationException">A port cannot be bound (taken by another process).</exception>
    public void Start()
    {
        foreach (var path in _paths)
            _sockets.Add(Bind(path.Bind));
        _running = Task.WhenAll(_sockets.Select(socket => Task.Run(() => ReceiveAsync(socket, _stopping.Token))));
    }

    /// <summary>
    /// Sends <paramref name="message"/>, every part of it, to the peer and every relay. A destination that
    /// cannot be reached is skipped (counted): a down site must not keep the message from the others. A
    /// message that cannot be encoded is logged and counted, never thrown: the hub loop must go on.
    /// </summary>
    /// <returns>How many destinations the kernel took every part for.</returns>
    public async Task<int> SendAsync(HubSyncMessage message, CancellationToken cancellationToken)
    {
        if (_sockets.Count == 0)
            throw new InvalidOperationException("hub sync channel not started");
        IReadOnlyList<byte[]> parts;
        try
        {
            parts = _codec.Encode(message);
        }
        catch (HubSyncTooLargeException e)
        {
            if (RejectionCounter.WorthLogging(Interlocked.Increment(ref _encodeFailures)))
                Log.EncodeFailed(_logger, e.Message, EncodeFailures);
            return 0;
        }

        var sent = 0;
        for (var p = 0; p < _paths.Count; p++)
        {
            foreach (var destination in _paths[p].Destinations)
            {
                if (await SendPartsAsync(_sockets[p], parts, destination, cancellationToken))
                    sent++;
            }
        }
        return sent;
    }

    private async Task<bool> SendPartsAsync(Socket socket, IReadOnlyList<byte[]> parts, IPEndPoint destination, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var part in parts)
                await socket.SendToAsync(part, SocketFlags.None, destination, cancellationToken);
            return true;
        }
        catch (SocketException e)
        {
            if (RejectionCounter.WorthLogging(Interlocked.Increment(ref _sendFailures)))
                Log.SendFailed(_logger, destination, e.SocketErrorCode, SendFailures);
            return false;
        }
    }

    private async Task ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        // One byte more than the limit, so an oversize datagram shows as such instead of being silently cut.
        var buffer = new byte[HubSyncCodec.MaxDatagramBytes + 1];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (SocketException)
            {
                // A transient error on a datagram socket (an ICMP error surfacing) says nothing about the next datagram.
                continue;
            }

            var source = Normalize(((IPEndPoint)received.RemoteEndPoint).Address);
            if (Admit(buffer.AsSpan(0, received.ReceivedBytes), source) is { } message)
            {
                Interlocked.Increment(ref _admitted);
                await _accepted.WriteAsync(message, cancellationToken);
            }
        }
    }

    /// <summary>One datagram through the assembler and the guard, which every socket's loop shares.</summary>
    private ReceivedSyncMessage? Admit(ReadOnlySpan<byte> datagram, IPAddress source)
    {
        lock (_receiving)
        {
            var assembly = _assembler.Add(datagram, source.Equals(_peer));
            if (assembly.Rejection is { } rejection)
            {
                Reject(rejection, source);
                return null;
            }
            if (assembly.Message is not { } message)
                return null;
            if (_guard.Admit(message) is { } refused)
            {
                Reject(refused, source);
                return null;
            }
            return new ReceivedSyncMessage(message, _time.GetUtcNow(), assembly.Direct);
        }
    }

    private void Reject(HubSyncRejection reason, IPAddress source)
    {
        var count = _rejections.Count(reason);
        if (!RejectionCounter.WorthLogging(count))
            return;
        switch (reason)
        {
            case HubSyncRejection.Duplicate:
                return; // every relay delivers one: not worth a line
            case HubSyncRejection.OutOfOrder:
                Log.Reordered(_logger, source, count);
                return;
            case HubSyncRejection.Stale:
                Log.Stale(_logger, source, count);
                return;
            case HubSyncRejection.BadTag:
                Log.BadTag(_logger, source, count);
                return;
            default:
                Log.Rejected(_logger, reason, source, count);
                return;
        }
    }

    /// <summary>
    /// The direct path from the own pair address, and one path per tunnel address family to the sites of
    /// that family: a site relays only what comes from a hub's tunnel address.
    /// </summary>
    private static IReadOnlyList<SyncPath> PathsFor(int port, IPAddress ownPair, IReadOnlyList<IPAddress> ownTunnel, IPAddress peerPair, IReadOnlyList<IPAddress> relays)
    {
        var paths = new List<SyncPath> { new(new IPEndPoint(ownPair, port), [new IPEndPoint(peerPair, port)]) };
        foreach (var own in ownTunnel)
            paths.Add(new SyncPath(new IPEndPoint(own, port), [.. relays.Where(r => r.AddressFamily == own.AddressFamily).Select(r => new IPEndPoint(r, port))]));
        return paths;
    }

    private static Socket Bind(IPEndPoint endpoint)
    {
        try
        {
            return BindOnce(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressFamilyNotSupported && endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            // A kernel without IPv6: IPv4 alone still carries a pair whose pair addresses are IPv4.
            return Bind(new IPEndPoint(IPAddress.Any, endpoint.Port));
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"cannot listen for hub sync on UDP {endpoint}: {e.Message} (another keepwire hub in this network namespace, or hub_pair.sync_port taken by something else?)", e);
        }
    }

    private static Socket BindOnce(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            else if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.SetRawSocketOption((int)SocketOptionLevel.IPv6, Ipv6Freebind, BitConverter.GetBytes(1));
            else if (!endpoint.Address.Equals(IPAddress.Any))
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpFreebind, BitConverter.GetBytes(1));
            socket.Bind(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An IPv4 peer reaches the dual-stack socket as ::ffff:a.b.c.d.</summary>
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var socket in _sockets)
            socket.Dispose();
        try
        {
            await _running;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stopping.Dispose();
    }

    /// <summary>One socket: where it is bound, and where it sends.</summary>
    private sealed record SyncPath(IPEndPoint Bind, IReadOnlyList<IPEndPoint> Destinations);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: datagram from {Source} with a bad tag ({Count} so far): altered on the way, or the hubs' keys in the config do not match their key files")]
        public static partial void BadTag(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: message from {Source} outside the freshness window ({Count} so far): are both hubs' clocks synchronised by NTP?")]
        public static partial void Stale(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "hub sync: message from {Source} older than one already followed, dropped ({Count} so far)")]
        public static partial void Reordered(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: datagram from {Source} rejected: {Reason} ({Count} so far); a BadHeader from the peer means the two hubs run different keepwire versions")]
        public static partial void Rejected(ILogger logger, HubSyncRejection reason, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "hub sync: cannot send to {Destination}: {Error} ({Count} failed sends so far)")]
        public static partial void SendFailed(ILogger logger, IPEndPoint destination, SocketError error, long count);

        [LoggerMessage(Level = LogLevel.Error, Message = "hub sync: this hub's state cannot be sent, the peer does not hear it: {Error} ({Count} so far)")]
        public static partial void EncodeFailed(ILogger logger, string error, long count);
    }
}
