using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Posix;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Site;

/// <summary>
/// The site's side of liveness: on its tunnel addresses (never a public one), port <see cref="LivenessEcho.Port"/>,
/// it sends every liveness datagram back unchanged, when it came in through the site's WireGuard interface towards a
/// hub from that hub's tunnel address. Anything else is dropped. Beside the agent's loop, so a slow reconcile pass
/// never delays an answer; the socket waits for the tunnel address to exist, retrying every second.
/// </summary>
public sealed partial class LivenessResponder : IAsyncDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<IPAddress> _listen;
    private readonly IReadOnlyDictionary<IPAddress, InterfaceIndexCache> _hubs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;
    private long _answered;
    private long _dropped;

    public LivenessResponder(ClusterConfig config, SiteNode site, TimeProvider time, ILogger logger)
    {
        _listen = [.. site.Tunnel.All];
        _hubs = config.Hubs
            .SelectMany(h => h.Tunnel.All.Select(a => (Address: a, Interface: new InterfaceIndexCache(site.InterfaceFor(h), time))))
            .ToDictionary(x => x.Address, x => x.Interface);
        _time = time;
        _logger = logger;
    }

    public long Answered => Interlocked.Read(ref _answered);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Start() => _running = Task.WhenAll(_listen.Select(a => Task.Run(() => ServeAsync(a, _stopping.Token))));

    private async Task ServeAsync(IPAddress address, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
                socket.Bind(new IPEndPoint(address, LivenessEcho.Port));
                await AnswerAsync(socket, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                // The tunnel address is not there yet (the first reconcile pass adds it), or it went away.
                if (e.SocketErrorCode != SocketError.AddressNotAvailable)
                    Log.ListenFailed(_logger, address, e.Message);
                await Task.Delay(RetryInterval, _time, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task AnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[LivenessEcho.Size + 1];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.AddressNotAvailable)
            {
                continue;
            }
            var source = (IPEndPoint)received.RemoteEndPoint;
            var datagram = buffer.AsSpan(0, received.ReceivedBytes);
            if (!LivenessEcho.TryRead(datagram, out _) || !_hubs.TryGetValue(source.Address, out var tunnel) || !tunnel.Matches(received.PacketInformation.Interface))
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }
            try
            {
                socket.SendTo(datagram, SocketFlags.None, source);
                Interlocked.Increment(ref _answered);
            }
            catch (SocketException)
            {
                // A full buffer or no route back: this answer is lost, the hub counts it as missed.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot answer liveness on {Address}: {Error}; retrying")]
        public static partial void ListenFailed(ILogger logger, IPAddress address, string error);
    }
}
