using Keepwire.Engine;

namespace Keepwire.Health;

/// <summary>
/// Measures the hub's own scheduling lag: a timer that expects to fire every <see cref="Period"/> and notes how late
/// it fired. A lag of at least <see cref="StallRule.MinimumStall"/> is a stall: from when the timer was due until it
/// ran, the hub did not run (descheduled, a GC pause, every thread busy), so an answer that arrived then sat unread.
/// The stalls go to the engine as evidence (<see cref="TakeStalls"/>), which will not count a probe's timeout that
/// ran through one. A stall still going on (the timer is overdue now) is reported too, as far as it has gone: the
/// probes that timed out in it can reach the loop before this timer's late callback does.
/// Thread-safe: the timer's callback records, the hub's loop takes.
/// </summary>
public sealed class LoopLagMonitor : IDisposable
{
    /// <summary>
    /// How often the timer expects to fire. A stall is seen at most this late (it may begin just after a tick), which
    /// <see cref="StallRule.TimeoutShare"/> allows for; 50 wake-ups a second cost the idle hub next to nothing.
    /// </summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    /// <summary>The longest lag is kept per window of this length; <see cref="RecentMaxLag"/> spans the last two.</summary>
    public static readonly TimeSpan LagWindow = TimeSpan.FromSeconds(60);

    /// <summary>Stalls not yet taken are bounded: a loop that does not take them loses the oldest.</summary>
    public const int MaxPending = 256;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<HubStall> _stalls = new();
    private readonly Action<TimeSpan>? _observe;
    private ITimer? _timer;
    private long _armedAt;
    private DateTimeOffset _windowStart;
    private TimeSpan _windowMax;
    private TimeSpan _previousWindowMax;
    private bool _disposed;

    /// <param name="observe">Called with every tick's lag (metrics); must return at once.</param>
    public LoopLagMonitor(TimeProvider time, Action<TimeSpan>? observe = null)
    {
        _time = time;
        _observe = observe;
    }

    /// <summary>Starts the timer.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_timer is not null || _disposed)
                return;
            _windowStart = _time.GetUtcNow();
            _armedAt = _time.GetTimestamp();
            _timer = _time.CreateTimer(_ => Tick(), null, Period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The longest lag in the last one to two <see cref="LagWindow"/>s.</summary>
    public TimeSpan RecentMaxLag
    {
        get
        {
            lock (_gate)
            {
                Roll(_time.GetUtcNow());
                return Max(Max(_windowMax, _previousWindowMax), Overdue());
            }
        }
    }

    /// <summary>
    /// The stalls since the last call, oldest first, and the one going on now if the timer is overdue by a stall
    /// (it is reported again, whole, once the timer has fired).
    /// </summary>
    public IReadOnlyList<HubStall> TakeStalls()
    {
        lock (_gate)
        {
            var stalls = new List<HubStall>(_stalls.Count + 1);
            while (_stalls.TryDequeue(out var stall))
                stalls.Add(stall);
            var overdue = Overdue();
            if (overdue >= StallRule.MinimumStall)
            {
                var now = _time.GetUtcNow();
                stalls.Add(new HubStall(now - overdue, now));
            }
            return stalls;
        }
    }

    private void Tick()
    {
        TimeSpan lag;
        lock (_gate)
        {
            if (_disposed)
                return;
            lag = Max(_time.GetElapsedTime(_armedAt) - Period, TimeSpan.Zero);
            var now = _time.GetUtcNow();
            Roll(now);
            _windowMax = Max(_windowMax, lag);
            if (lag >= StallRule.MinimumStall)
            {
                _stalls.Enqueue(new HubStall(now - lag, now));
                while (_stalls.Count > MaxPending)
                    _stalls.Dequeue();
            }
            // Re-armed from now, not on a grid: after a stall the next tick measures afresh instead of firing at once.
            _armedAt = _time.GetTimestamp();
            _timer?.Change(Period, Timeout.InfiniteTimeSpan);
        }
        _observe?.Invoke(lag);
    }

    /// <summary>How far past its due time the timer is now (zero when it is not due yet).</summary>
    private TimeSpan Overdue() => _timer is null ? TimeSpan.Zero : Max(_time.GetElapsedTime(_armedAt) - Period, TimeSpan.Zero);

    private void Roll(DateTimeOffset now)
    {
        if (now - _windowStart < LagWindow)
            return;
        _previousWindowMax = now - _windowStart < LagWindow * 2 ? _windowMax : TimeSpan.Zero;
        _windowMax = TimeSpan.Zero;
        _windowStart = now;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}
