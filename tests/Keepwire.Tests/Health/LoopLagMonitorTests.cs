using Keepwire.Engine;
using Keepwire.Health;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Health;

/// <summary>
/// The loop-lag monitor on a fake clock: a timer that fires on time reports nothing, one that fires late reports the
/// stall it ran through, and a timer that has not fired yet reports the stall going on as far as it has gone.
/// </summary>
public sealed class LoopLagMonitorTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);

    [Fact]
    public void A_timer_on_time_reports_no_stall()
    {
        var lags = new List<TimeSpan>();
        using var monitor = new LoopLagMonitor(_clock, lags.Add);
        monitor.Start();

        for (var i = 0; i < 50; i++)
            _clock.Advance(LoopLagMonitor.Period);

        Assert.Empty(monitor.TakeStalls());
        Assert.Equal(50, lags.Count);
        Assert.All(lags, lag => Assert.Equal(TimeSpan.Zero, lag));
        Assert.Equal(TimeSpan.Zero, monitor.RecentMaxLag);
    }

    [Fact]
    public void A_late_timer_reports_the_stall_it_ran_through_once()
    {
        var lags = new List<TimeSpan>();
        using var monitor = new LoopLagMonitor(_clock, lags.Add);
        monitor.Start();
        _clock.Advance(LoopLagMonitor.Period);

        _clock.Advance(LoopLagMonitor.Period + TimeSpan.FromMilliseconds(420));

        var stall = Assert.Single(monitor.TakeStalls());
        Assert.Equal(new HubStall(_clock.GetUtcNow() - TimeSpan.FromMilliseconds(420), _clock.GetUtcNow()), stall);
        Assert.Equal(TimeSpan.FromMilliseconds(420), lags[^1]);
        Assert.Equal(TimeSpan.FromMilliseconds(420), monitor.RecentMaxLag);
        Assert.Empty(monitor.TakeStalls());
    }

    [Fact]
    public void Jitter_below_the_minimum_stall_is_lag_but_no_stall()
    {
        using var monitor = new LoopLagMonitor(_clock);
        monitor.Start();

        _clock.Advance(LoopLagMonitor.Period + TimeSpan.FromMilliseconds(5));

        Assert.Empty(monitor.TakeStalls());
        Assert.Equal(TimeSpan.FromMilliseconds(5), monitor.RecentMaxLag);
    }

    [Fact]
    public void The_recent_maximum_forgets_a_lag_after_two_windows()
    {
        using var monitor = new LoopLagMonitor(_clock);
        monitor.Start();
        _clock.Advance(LoopLagMonitor.Period + TimeSpan.FromMilliseconds(300));

        for (var i = 0; i < 2 * LoopLagMonitor.LagWindow / LoopLagMonitor.Period; i++)
            _clock.Advance(LoopLagMonitor.Period);

        Assert.Equal(TimeSpan.Zero, monitor.RecentMaxLag);
    }

    [Fact]
    public void A_stall_going_on_is_reported_as_far_as_it_has_gone()
    {
        var stuck = new StuckTimers(_clock);
        using var monitor = new LoopLagMonitor(stuck);
        monitor.Start();

        _clock.Advance(TimeSpan.FromMilliseconds(300));

        var now = _clock.GetUtcNow();
        Assert.Equal(new HubStall(now - TimeSpan.FromMilliseconds(280), now), Assert.Single(monitor.TakeStalls()));
        Assert.Equal(TimeSpan.FromMilliseconds(280), monitor.RecentMaxLag);
    }

    [Fact]
    public void Stalls_not_taken_are_bounded()
    {
        using var monitor = new LoopLagMonitor(_clock);
        monitor.Start();

        for (var i = 0; i < LoopLagMonitor.MaxPending + 10; i++)
            _clock.Advance(LoopLagMonitor.Period + TimeSpan.FromMilliseconds(15));

        Assert.Equal(LoopLagMonitor.MaxPending, monitor.TakeStalls().Count);
    }

    [Fact]
    public void Nothing_fires_after_dispose()
    {
        var lags = new List<TimeSpan>();
        var monitor = new LoopLagMonitor(_clock, lags.Add);
        monitor.Start();
        monitor.Dispose();

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(lags);
        Assert.Empty(monitor.TakeStalls());
    }

    /// <summary>The fake clock's time, but timers that never fire: the thread that would run them is stuck.</summary>
    private sealed class StuckTimers(FakeTimeProvider clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverFires();

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
