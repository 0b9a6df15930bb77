using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Notifications;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Notifications;

public sealed class ReceiverQueueTests
{
    private readonly FakeTimeProvider _clock = new(NotificationPayloadsTests.Now);
    private readonly FakeTransport _transport;

    public ReceiverQueueTests() => _transport = new FakeTransport(_clock);
    private readonly NotificationCounters _counters = new();

    [Fact]
    public void Backoff_doubles_from_one_second_up_to_thirty()
    {
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => ReceiverQueue.RetryBackoff.Before(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(30), ReceiverQueue.RetryBackoff.Before(1000));
    }

    [Fact]
    public async Task Publishing_never_waits_for_a_stuck_receiver_and_a_full_queue_drops_the_oldest_events_and_counts_them()
    {
        _transport.Hang = true;
        await using var notifier = Notifier.Create([NotificationPayloadsTests.Target(NotifyKind.Webhook)], _transport, _counters, _clock, NullLogger.Instance);

        notifier.Publish(Event(0));
        await _transport.WaitForAttemptsAsync(1); // the worker holds event 0 in its hanging attempt
        for (var i = 1; i <= ReceiverQueue.Capacity + 10; i++)
            notifier.Publish(Event(i)); // returns at once: the queue takes or drops

        Assert.Equal(10, _counters.Dropped);
        var (receiver, counts) = Assert.Single(_counters.Receivers);
        Assert.Equal(("webhook https://receiver.example", 10L), (receiver, counts.Dropped)); // named without the URL's secret path
        _transport.Hang = false;
        _transport.Release();
        await _transport.WaitForDeliveriesAsync(ReceiverQueue.Capacity + 1);
        // Event 0 was in flight; 1–10 were dropped as the oldest waiting; 11… arrived in order.
        Assert.Equal([0, .. Enumerable.Range(11, ReceiverQueue.Capacity)], _transport.Delivered.Select(Number));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_no_sooner_than_1_then_2_seconds_later_and_given_up_after_its_retries()
    {
        _transport.Failures = int.MaxValue;
        await using var notifier = Notifier.Create([NotificationPayloadsTests.Target(NotifyKind.Webhook)], _transport, _counters, _clock, NullLogger.Instance);
        var start = _clock.GetUtcNow();

        notifier.Publish(Event(1));
        await _transport.WaitForAttemptsAsync(1);
        await RunClockUntilAsync(() => _counters.Failed == 1);

        // The clock only moves forward in steps, so an attempt can be seen late but never early.
        Assert.Equal(3, _transport.Attempts); // the first and its 2 retries
        Assert.Equal(start, _transport.AttemptTimes[0]);
        Assert.True(_transport.AttemptTimes[1] - _transport.AttemptTimes[0] >= TimeSpan.FromSeconds(1));
        Assert.True(_transport.AttemptTimes[2] - _transport.AttemptTimes[1] >= TimeSpan.FromSeconds(2));
        Assert.Equal(0, _counters.Delivered);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_within_the_timeout_counts_as_failed_and_the_retry_delivers()
    {
        _transport.Hang = true;
        await using var notifier = Notifier.Create([NotificationPayloadsTests.Target(NotifyKind.Webhook)], _transport, _counters, _clock, NullLogger.Instance);
        var start = _clock.GetUtcNow();

        notifier.Publish(Event(1));
        await _transport.WaitForAttemptsAsync(1);
        _transport.Hang = false;
        await RunClockUntilAsync(() => _counters.Delivered == 1);

        Assert.Equal(2, _transport.Attempts);
        Assert.True(_transport.AttemptTimes[1] - start >= TimeSpan.FromSeconds(5) + ReceiverQueue.RetryBackoff.Before(1)); // the timeout, then the backoff
    }

    [Fact]
    public async Task A_receiver_gets_only_the_kinds_it_asked_for_and_exec_runs_the_command_with_the_event()
    {
        await using var notifier = Notifier.Create([NotificationPayloadsTests.Target(NotifyKind.Exec, null, HubEventKind.Switch)], _transport, _counters, _clock, NullLogger.Instance);

        notifier.Publish(new HubEvent(HubEventKind.SiteUp, _clock.GetUtcNow(), "hub", "site alpha is up again") { Site = "alpha" });
        notifier.Publish(NotificationPayloadsTests.Failover);
        await _transport.WaitForDeliveriesAsync(1);

        var command = Assert.Single(_transport.Commands);
        Assert.Equal(["/usr/local/bin/page-me", "--urgent"], command.Command);
        Assert.Equal("switch", command.Environment["KEEPWIRE_EVENT"]);
    }

    private static HubEvent Event(int number) =>
        new(HubEventKind.SiteDown, NotificationPayloadsTests.Now, "hub", $"event {number}") { Site = "alpha", Detail = number.ToString() };

    private static int Number(HubEvent hubEvent) => int.Parse(hubEvent.Detail!);

    /// <summary>Moves the fake clock on in 100 ms steps, letting the worker run between them, until the condition holds.</summary>
    private async Task RunClockUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 2000 && !condition(); i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5);
        }

        Assert.True(condition());
    }

    /// <summary>Records every attempt; can fail the first attempts, or hang until released or cancelled (a timeout).</summary>
    private sealed class FakeTransport(TimeProvider clock) : INotificationTransport
    {
        private readonly Lock _gate = new();
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public volatile bool Hang;
        public int Failures;

        public List<HubEvent> Delivered { get; } = [];

        public List<DateTimeOffset> AttemptTimes { get; } = [];

        public List<NotificationCommand> Commands { get; } = [];

        public int Attempts => Volatile.Read(ref _attempts);

        public void Release() => _release.TrySetResult();

        public async Task PostAsync(NotificationRequest request, CancellationToken cancellationToken)
        {
            await AttemptAsync(cancellationToken);
            using var document = System.Text.Json.JsonDocument.Parse(request.Body);
            var root = document.RootElement;
            lock (_gate)
                Delivered.Add(new HubEvent(HubEventKind.SiteDown, NotificationPayloadsTests.Now, "hub", root.GetProperty("summary").GetString()!) { Detail = root.GetProperty("detail").GetString() });
        }

        public async Task RunAsync(NotificationCommand command, CancellationToken cancellationToken)
        {
            await AttemptAsync(cancellationToken);
            lock (_gate)
            {
                Commands.Add(command);
                Delivered.Add(NotificationPayloadsTests.Failover);
            }
        }

        private async Task AttemptAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
                AttemptTimes.Add(clock.GetUtcNow());
            Interlocked.Increment(ref _attempts);
            if (Hang)
                await _release.Task.WaitAsync(cancellationToken);
            if (Interlocked.Decrement(ref Failures) >= 0)
                throw new NotificationFailedException("answered 500 Internal Server Error");
        }

        public async Task WaitForAttemptsAsync(int count) => await Eventually.True(() => Attempts >= count);

        public async Task WaitForDeliveriesAsync(int count) => await Eventually.True(() => { lock (_gate) return Delivered.Count >= count; });
    }
}
