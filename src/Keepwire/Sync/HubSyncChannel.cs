using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Keepwire.Sync;

/// <summary>
/// The hub's one hub-sync socket, UDP on <c>[::]:sync_port</c> (dual-stack, in the hub's namespace).
/// Sends every message to the peer's pair address and to every site's tunnel address; each site agent
/// relays it, unchanged, to the other hubs, so a partition between the hubs alone does not cut sync.
/// Receives from anywhere: the tag, not the source, makes a message trustworthy. Admitted messages
/// go to a channel for the hub loop; everything else is counted by reason, never logged with content.
/// </summary>
public sealed partial class HubSyncChannel : IAsyncDisposable
{
    private readonly IPEndPoint _bind;
    private readonly IPAddress _peer;
    private readonly IReadOnlyList<IPEndPoint> _destinations;
    private readonly HubSyncCodec _codec;
    private readonly HubSyncReplayGuard _guard;
    private readonly ChannelWriter<ReceivedSyncMessage> _accepted;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long[] _rejections = new long[Enum.GetValues<HubSyncRejection>().Length];
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _socket;
    private Task _running = Task.CompletedTask;
    private long _admitted;
    private long _sendFailures;

    /// <param name="port">hub_pair.sync_port: bound here, and the destination port on the peer and the sites.</param>
    /// <param name="peerPairAddress">The peer hub's pair address: the direct path.</param>
    /// <param name="relayAddresses">One tunnel address per site (its agent relays to the other hubs).</param>
    /// <param name="guard">Kept by the caller across a channel rebuilt on reload, so the peer's sequence carries over.</param>
    public HubSyncChannel(
        int port,
        IPAddress peerPairAddress,
        IReadOnlyList<IPAddress> relayAddresses,
        HubSyncCodec codec,
        HubSyncReplayGuard guard,
        ChannelWriter<ReceivedSyncMessage> accepted,
        TimeProvider time,
        ILogger<HubSyncChannel> logger)
        : this(new IPEndPoint(IPAddress.IPv6Any, port), peerPairAddress, [.. new[] { peerPairAddress }.Concat(relayAddresses).Select(a => new IPEndPoint(a, port))], codec, guard, accepted, time, logger)
    {
    }

    /// <summary>For tests: any bind endpoint (port 0 included) and destinations on any ports.</summary>
    internal HubSyncChannel(
        IPEndPoint bind,
        IPAddress peerPairAddress,
        IReadOnlyList<IPEndPoint> destinations,
        HubSyncCodec codec,
        HubSyncReplayGuard guard,
        ChannelWriter<ReceivedSyncMessage> accepted,
        TimeProvider time,
        ILogger<HubSyncChannel> logger)
    {
        _bind = bind;
        _peer = Normalize(peerPairAddress);
        _destinations = destinations;
        _codec = codec;
        _guard = guard;
        _accepted = accepted;
        _time = time;
        _logger = logger;
    }

    /// <summary>The bound port (the configured one, or the one the kernel chose for port 0).</summary>
    public int LocalPort => (_socket?.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Sends that failed at once (no route to a site yet, tunnel down); the other paths carry the message.</summary>
    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Datagrams not admitted so far, by reason. <see cref="HubSyncRejection.Duplicate"/> is normal: every relay delivers a copy.</summary>
    public IReadOnlyDictionary<HubSyncRejection, long> Rejections() =>
        Enum.GetValues<HubSyncRejection>().ToDictionary(r => r, r => Interlocked.Read(ref _rejections[(int)r]));

    /// <summary>Binds the socket and starts receiving.</summary>
    /// <exception cref="InvalidOperationException">The port cannot be bound (taken by another process).</exception>
    public void Start()
    {
        _socket = Bind(_bind);
        _running = Task.Run(() => ReceiveAsync(_socket, _stopping.Token));
    }

    /// <summary>
    /// Sends <paramref name="message"/> to the peer and every relay. A destination that cannot be
    /// reached is skipped (counted): a down site must not keep the message from the others.
    /// </summary>
    /// <returns>How many destinations the kernel took the datagram for.</returns>
    public async Task<int> SendAsync(HubSyncMessage message, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new InvalidOperationException("hub sync channel not started");
        var datagram = _codec.Encode(message);
        var sent = 0;
        foreach (var destination in _destinations)
        {
            try
            {
                await socket.SendToAsync(datagram, SocketFlags.None, destination, cancellationToken);
                sent++;
            }
            catch (SocketException e)
            {
                if (IsPowerOfTen(Interlocked.Increment(ref _sendFailures)))
                    Log.SendFailed(_logger, destination, e.SocketErrorCode, SendFailures);
            }
        }
        return sent;
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
            if (!_codec.TryDecode(buffer.AsSpan(0, received.ReceivedBytes), out var message, out var rejection))
            {
                Reject(rejection, source);
                continue;
            }

            if (_guard.Admit(message) is { } refused)
            {
                Reject(refused, source);
                continue;
            }

            Interlocked.Increment(ref _admitted);
            await _accepted.WriteAsync(new ReceivedSyncMessage(message, _time.GetUtcNow(), source.Equals(_peer)), cancellationToken);
        }
    }

    private void Reject(HubSyncRejection reason, IPAddress source)
    {
        var count = Interlocked.Increment(ref _rejections[(int)reason]);
        if (!IsPowerOfTen(count))
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

    /// <summary>Log lines at the 1st, 10th, 100th… occurrence: a steady problem stays visible without flooding.</summary>
    private static bool IsPowerOfTen(long count)
    {
        for (var n = 1L; n <= count; n *= 10)
        {
            if (n == count)
                return true;
        }
        return false;
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
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6)
                socket.DualMode = true;
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
        _socket?.Dispose();
        try
        {
            await _running;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: datagram from {Source} with a bad tag ({Count} so far): altered on the way, or the hubs' keys in the config do not match their key files")]
        public static partial void BadTag(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: message from {Source} outside the freshness window ({Count} so far): are both hubs' clocks synchronised by NTP?")]
        public static partial void Stale(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "hub sync: message from {Source} older than one already followed, dropped ({Count} so far)")]
        public static partial void Reordered(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "hub sync: datagram from {Source} rejected: {Reason} ({Count} so far)")]
        public static partial void Rejected(ILogger logger, HubSyncRejection reason, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "hub sync: cannot send to {Destination}: {Error} ({Count} failed sends so far)")]
        public static partial void SendFailed(ILogger logger, IPEndPoint destination, SocketError error, long count);
    }
}
