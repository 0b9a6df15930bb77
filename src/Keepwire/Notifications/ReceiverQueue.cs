using System.Threading.Channels;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Retries;
using Microsoft.Extensions.Logging;

namespace Keepwire.Notifications;

/// <summary>
/// One receiver's queue and the worker that drains it, one event at a time: each attempt has the receiver's
/// timeout, a failed one is retried after <see cref="RetryBackoff"/>. Offering an event never waits: the queue
/// holds <see cref="Capacity"/> events and, when full, drops the oldest (counted in <see cref="ReceiverCounters.Dropped"/>).
/// Oldest, because the newest event says what is true now (which site serves), while an old one that is still
/// waiting has been overtaken; and a receiver that is down long enough to fill the queue gets, when it comes back,
/// the latest events rather than a stale backlog. Each receiver has its own queue, so a dead one delays nobody else.
/// </summary>
internal sealed partial class ReceiverQueue : IAsyncDisposable
{
    /// <summary>Before retry n of one event: 1 s, 2 s, 4 s, … up to 30 s.</summary>
    public static readonly CappedBackoff RetryBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    public const int Capacity = 64;

    private readonly NotifyTarget _target;
    private readonly string? _secret;
    private readonly INotificationTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<HubEvent> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private readonly ReceiverCounters _counters;

    public ReceiverQueue(NotifyTarget target, string? secret, INotificationTransport transport, NotificationCounters counters, TimeProvider time, ILogger logger)
    {
        _counters = counters.For(target.Name);
        _target = target;
        _secret = secret;
        _transport = transport;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<HubEvent>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => _counters.CountDropped());
        _worker = Task.Run(() => DrainAsync(_stopping.Token));
    }

    public NotifyTarget Target => _target;

    /// <summary>Queues the event if this receiver wants its kind; never waits.</summary>
    public void Offer(HubEvent hubEvent)
    {
        if (_target.Events.Contains(hubEvent.Kind))
            _queue.Writer.TryWrite(hubEvent);
    }

    private async Task DrainAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var hubEvent in _queue.Reader.ReadAllAsync(stopping))
                await DeliverAsync(hubEvent, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: what is still queued is not sent.
        }
    }

    /// <summary>The first attempt and up to <see cref="NotifyTarget.Retries"/> more; the last failure is logged, earlier ones at debug level.</summary>
    private async Task DeliverAsync(HubEvent hubEvent, CancellationToken stopping)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(RetryBackoff.Before(attempt), _time, stopping);
            using var timeout = new CancellationTokenSource(_target.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
            try
            {
                await SendAsync(hubEvent, linked.Token);
                _counters.CountDelivered();
                return;
            }
            catch (Exception e) when (!stopping.IsCancellationRequested && e is NotificationFailedException or OperationCanceledException or IOException)
            {
                var why = e is OperationCanceledException ? $"no answer within {_target.Timeout.TotalSeconds:0.###} s" : e.Message;
                if (attempt < _target.Retries)
                {
                    Log.AttemptFailed(_logger, _target.Name, hubEvent.KindName, attempt + 1, why);
                    continue;
                }

                _counters.CountFailed();
                Log.GaveUp(_logger, _target.Name, hubEvent.KindName, attempt + 1, why);
                return;
            }
        }
    }

    private Task SendAsync(HubEvent hubEvent, CancellationToken cancellationToken) => _target.Kind == NotifyKind.Exec
        ? _transport.RunAsync(new NotificationCommand(_target.Command, NotificationPayloads.Environment(hubEvent)), cancellationToken)
        // Signed per attempt: a retry carries a fresh timestamp, so a slow receiver does not see it as a replay.
        : _transport.PostAsync(NotificationPayloads.Request(_target, hubEvent, _secret, _time.GetUtcNow()), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _worker;
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "notification {Receiver}: {Event} attempt {Attempt} failed, retrying: {Error}")]
        public static partial void AttemptFailed(ILogger logger, string receiver, string @event, int attempt, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "notification {Receiver}: {Event} not delivered after {Attempts} attempt(s): {Error}")]
        public static partial void GaveUp(ILogger logger, string receiver, string @event, int attempts, string error);
    }
}
