using System.Net;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.Health;
using Keepwire.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Health;

public sealed class CheckSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    /// <summary>An even pace, for what does not depend on it: 200 ms whether the site passes or not.</summary>
    private static readonly CheckDefinition Definition = new("http", CheckKind.Http) { Interval = TimeSpan.FromMilliseconds(200), FastInterval = TimeSpan.FromMilliseconds(200) };

    /// <summary>The default paces: 1 s while the site passes, 100 ms while it is in question; two passes settle it.</summary>
    private static readonly CheckDefinition TwoPaces = new("http", CheckKind.Http) { Rise = 2 };

    /// <summary>The default paces, and one pass settles a stream: a new stream is in question only until its first pass.</summary>
    private static readonly CheckDefinition TwoPacesRiseOne = TwoPaces with { Rise = 1 };

    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider fake = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<ProbeStreamResult> results = Channel.CreateUnbounded<ProbeStreamResult>();

    private CheckScheduler Scheduler(TimeProvider time, params IHealthCheck[] checks) => Scheduler(time, CheckScheduler.DefaultMaxAttemptsInFlight, checks);

    private CheckScheduler Scheduler(TimeProvider time, int maxAttemptsInFlight, params IHealthCheck[] checks) => new(
        [.. checks.Select((c, i) => new ProbeTarget(new ProbeStream($"s{i}", IPAddress.Loopback, c.Definition, [new ProbeSubscriber("web", c.Definition.Name)]), c))],
        results.Writer,
        time,
        NullLogger<CheckScheduler>.Instance,
        maxAttemptsInFlight);

    private async Task<ProbeStreamResult> NextResult()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await results.Reader.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Probes_run_on_their_interval_of_the_injected_clock()
    {
        using var time = new SignallingTimeProvider(fake);
        var check = new ScriptedCheck(Definition, fake, _ => Task.FromResult(true));
        await using var scheduler = Scheduler(time, check);
        scheduler.Start();

        var first = await NextResult();
        Assert.Equal("web", Assert.Single(first.Stream.Subscribers).Service);
        Assert.Equal(("s0", "http", true), (first.Result.Site, first.Result.Check, first.Result.Success));
        for (var i = 1; i <= 3; i++)
        {
            await time.WaitForTimerAsync(Patience);
            fake.Advance(TimeSpan.FromMilliseconds(200));
            await NextResult();
        }

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(200), start.AddMilliseconds(400), start.AddMilliseconds(600)], check.Starts);
    }

    [Fact]
    public async Task A_slow_probe_does_not_delay_the_next_start_and_results_come_in_start_order()
    {
        using var time = new SignallingTimeProvider(fake);
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new ScriptedCheck(Definition, fake, n => n == 0 ? release.Task : Task.FromResult(true));
        await using var scheduler = Scheduler(time, check);
        scheduler.Start();

        await check.WaitForStartsAsync(1, Patience);
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(200));
        await check.WaitForStartsAsync(2, Patience);
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(200));
        await check.WaitForStartsAsync(3, Patience);

        // Probes 1 and 2 have succeeded, but probe 0 started first and has not answered yet.
        Assert.False(results.Reader.TryRead(out _));
        release.SetResult(false);
        Assert.False((await NextResult()).Result.Success);
        Assert.True((await NextResult()).Result.Success);
        Assert.True((await NextResult()).Result.Success);

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(200), start.AddMilliseconds(400)], check.Starts);
        Assert.True(check.MaxConcurrent >= 2, $"at most {check.MaxConcurrent} probe ran at once");
    }

    [Fact]
    public async Task At_the_in_flight_cap_a_beat_is_skipped_until_a_probe_reports()
    {
        // 100 ms apart with a 250 ms timeout: at most ceil(250 / 100) + 1 = 4 probes unreported.
        var definition = new CheckDefinition("http", CheckKind.Http) { Interval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromMilliseconds(250) };
        Assert.Equal(4, definition.MaxProbesInFlight);
        using var time = new SignallingTimeProvider(fake);
        var stuck = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new ScriptedCheck(definition, fake, _ => stuck.Task);
        await using var scheduler = Scheduler(time, check);
        scheduler.Start();

        for (var started = 1; started <= 4; started++)
        {
            await check.WaitForStartsAsync(started, Patience);
            await time.WaitForTimerAsync(Patience);
            fake.Advance(TimeSpan.FromMilliseconds(100));
        }

        // The beat at 400 ms found four probes unreported and armed the next beat without starting one.
        await time.WaitForTimerAsync(Patience);
        Assert.Equal(4, check.Starts.Count);
        Assert.Equal(4, check.MaxConcurrent);

        stuck.SetResult(true);
        for (var i = 0; i < 4; i++)
            Assert.True((await NextResult()).Result.Success);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await check.WaitForStartsAsync(5, Patience);

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(100), start.AddMilliseconds(200), start.AddMilliseconds(300), start.AddMilliseconds(500)], check.Starts);
    }

    [Fact]
    public async Task At_the_hub_wide_attempt_cap_a_beat_is_skipped_even_below_the_streams_own_cap()
    {
        // Two attempts per probe and room for three over all streams: a second probe would hold four.
        var definition = Definition with { Attempts = 2 };
        Assert.True(definition.MaxProbesInFlight >= 2);
        using var time = new SignallingTimeProvider(fake);
        var stuck = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new ScriptedCheck(definition, fake, n => n == 0 ? stuck.Task : Task.FromResult(true));
        await using var scheduler = Scheduler(time, maxAttemptsInFlight: 3, check);
        scheduler.Start();

        await check.WaitForStartsAsync(1, Patience);
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(200));
        await time.WaitForTimerAsync(Patience);
        Assert.Single(check.Starts);

        stuck.SetResult(true);
        Assert.True((await NextResult()).Result.Success);
        fake.Advance(TimeSpan.FromMilliseconds(200));
        await check.WaitForStartsAsync(2, Patience);

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(400)], check.Starts);
    }

    [Fact]
    public async Task After_a_stall_missed_beats_are_not_made_up_in_a_burst()
    {
        using var time = new SignallingTimeProvider(fake);
        var check = new ScriptedCheck(Definition, fake, _ => Task.FromResult(true));
        await using var scheduler = Scheduler(time, check);
        scheduler.Start();
        await NextResult();

        // The timer for 200 ms fires only at 700 ms: one probe then, the next back on the grid at 800 ms.
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(700));
        await NextResult();
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await NextResult();

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(700), start.AddMilliseconds(800)], check.Starts);
    }

    [Fact]
    public async Task A_crashing_probe_counts_as_a_failure_and_probing_goes_on()
    {
        using var time = new SignallingTimeProvider(fake);
        var check = new ScriptedCheck(Definition, fake, n => n == 0 ? throw new InvalidOperationException("boom") : Task.FromResult(true));
        await using var scheduler = Scheduler(time, check);
        scheduler.Start();

        var crashed = await NextResult();
        Assert.False(crashed.Result.Success);
        Assert.Equal("probe error: boom", crashed.Result.Detail);
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True((await NextResult()).Result.Success);
    }

    [Fact]
    public async Task A_new_stream_is_probed_at_the_fast_pace_until_rise_probes_pass_then_at_the_interval()
    {
        using var time = new SignallingTimeProvider(fake);
        var gates = new Gates();
        var check = new ScriptedCheck(TwoPaces, fake, n => gates.Of(n).Task);
        await using var scheduler = Scheduler(time, check);
        using var passWhenDone = gates;
        scheduler.Start();

        Assert.Equal(1, scheduler.StreamsInQuestion); // no verdict yet (the hub's start, a reload)
        await PassAsync(0, time, check, gates);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await PassAsync(1, time, check, gates); // the second pass in a row: settled, but this beat was armed at the fast pace
        Assert.Equal(0, scheduler.StreamsInQuestion);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await PassAsync(2, time, check, gates);
        fake.Advance(TimeSpan.FromSeconds(1));
        await check.WaitForStartsAsync(4, Patience);

        Assert.Equal([Start, Start.AddMilliseconds(100), Start.AddMilliseconds(200), Start.AddMilliseconds(1200)], check.Starts);
    }

    [Fact]
    public async Task A_failed_probe_starts_the_next_at_once_and_the_fast_pace_lasts_until_rise_probes_pass()
    {
        using var time = new SignallingTimeProvider(fake);
        var gates = new Gates();
        var check = new ScriptedCheck(TwoPaces, fake, n => gates.Of(n).Task);
        await using var scheduler = Scheduler(time, check);
        using var passWhenDone = gates;
        scheduler.Start();

        // Settle the new stream first: two passes at the fast pace, and the beat armed before the second.
        await PassAsync(0, time, check, gates);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await PassAsync(1, time, check, gates);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await PassAsync(2, time, check, gates);
        Assert.Equal(0, scheduler.StreamsInQuestion);

        fake.Advance(TimeSpan.FromSeconds(1));
        await check.WaitForStartsAsync(4, Patience);
        await time.WaitForTimerAsync(Patience); // the next beat, a second on: the site has not failed yet
        gates.Of(3).SetResult(false);
        Assert.False((await NextResult()).Result.Success);
        await check.WaitForStartsAsync(5, Patience); // at once, not a second later
        Assert.Equal(1, scheduler.StreamsInQuestion);
        await PassAsync(4, time, check, gates);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await check.WaitForStartsAsync(6, Patience);
        await PassAsync(5, time, check, gates); // the second pass in a row: settled, but this beat was armed at the fast pace
        Assert.Equal(0, scheduler.StreamsInQuestion);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await check.WaitForStartsAsync(7, Patience);
        await PassAsync(6, time, check, gates);
        fake.Advance(TimeSpan.FromSeconds(1));
        await check.WaitForStartsAsync(8, Patience);

        var failedAt = Start.AddMilliseconds(1200);
        Assert.Equal(
            [Start, Start.AddMilliseconds(100), Start.AddMilliseconds(200), failedAt, failedAt, failedAt.AddMilliseconds(100), failedAt.AddMilliseconds(200), failedAt.AddMilliseconds(1200)],
            check.Starts);
    }

    [Fact]
    public async Task Hastening_a_site_probes_it_at_once_and_then_at_the_fast_pace_and_leaves_other_sites_alone()
    {
        using var time = new SignallingTimeProvider(fake);
        var gates = new Gates();
        // One pass settles each new stream; the other site's even pace makes when its next beat was armed not matter.
        var hastened = new ScriptedCheck(TwoPacesRiseOne, fake, n => gates.Of(n).Task);
        var other = new ScriptedCheck(Definition with { Rise = 1 }, fake, _ => Task.FromResult(true));
        await using var scheduler = Scheduler(time, hastened, other);
        using var passWhenDone = gates;
        scheduler.Start();
        await other.WaitForStartsAsync(1, Patience);
        Assert.True((await NextResult()).Result.Success);
        await time.WaitForTimerAsync(Patience);
        await PassAsync(0, time, hastened, gates);

        scheduler.Hasten("s0");
        await hastened.WaitForStartsAsync(2, Patience);
        await time.WaitForTimerAsync(Patience);
        fake.Advance(TimeSpan.FromMilliseconds(100));
        await hastened.WaitForStartsAsync(3, Patience);

        Assert.Equal([Start, Start, Start.AddMilliseconds(100)], hastened.Starts);
        Assert.Equal([Start], other.Starts);
        Assert.Equal(1, scheduler.StreamsInQuestion);
    }

    /// <summary>Lets probe <paramref name="n"/> pass once the scheduler has armed the beat after it, and reads its result.</summary>
    private async Task PassAsync(int n, SignallingTimeProvider time, ScriptedCheck check, Gates gates)
    {
        await check.WaitForStartsAsync(n + 1, Patience);
        await time.WaitForTimerAsync(Patience);
        gates.Of(n).SetResult(true);
        Assert.True((await NextResult()).Result.Success);
    }

    [Fact]
    public async Task Disposing_stops_every_probe_loop()
    {
        using var time = new SignallingTimeProvider(fake);
        var checks = new[] { new ScriptedCheck(Definition, fake, _ => Task.FromResult(true)), new ScriptedCheck(Definition, fake, _ => Task.FromResult(true)) };
        var scheduler = Scheduler(time, checks);
        scheduler.Start();
        await NextResult();
        await NextResult();
        await scheduler.DisposeAsync();

        fake.Advance(TimeSpan.FromSeconds(10));
        Assert.All(checks, c => Assert.Single(c.Starts));
        Assert.False(results.Reader.TryRead(out _));
    }

    /// <summary>
    /// One outcome per probe, set by the test when it wants the probe to answer. Disposing lets every probe pass, also
    /// those still to start, so disposing the scheduler (which waits for its probes) returns even when a test fails.
    /// </summary>
    private sealed class Gates : IDisposable
    {
        private readonly Lock gate = new();
        private readonly Dictionary<int, TaskCompletionSource<bool>> outcomes = [];
        private bool disposed;

        public TaskCompletionSource<bool> Of(int n)
        {
            lock (gate)
            {
                if (!outcomes.TryGetValue(n, out var outcome))
                {
                    outcomes[n] = outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (disposed)
                        outcome.SetResult(true);
                }
                return outcome;
            }
        }

        public void Dispose()
        {
            lock (gate)
            {
                disposed = true;
                foreach (var outcome in outcomes.Values)
                    outcome.TrySetResult(true);
            }
        }
    }

    /// <summary>A check whose n-th probe (from 0) returns <c>outcome(n)</c>; it records when each probe started.</summary>
    private sealed class ScriptedCheck(CheckDefinition definition, TimeProvider time, Func<int, Task<bool>> outcome) : IHealthCheck
    {
        private readonly Lock gate = new();
        private readonly List<DateTimeOffset> starts = [];
        private int running;

        public CheckDefinition Definition { get; } = definition;

        public int MaxConcurrent { get; private set; }

        public IReadOnlyList<DateTimeOffset> Starts
        {
            get
            {
                lock (gate)
                    return [.. starts];
            }
        }

        public async Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default)
        {
            int n;
            lock (gate)
            {
                n = starts.Count;
                starts.Add(time.GetUtcNow());
                MaxConcurrent = Math.Max(MaxConcurrent, ++running);
            }

            try
            {
                var success = await outcome(n);
                return new CheckResult(site, Definition.Name, time.GetUtcNow(), success, success ? "status 200" : "status 503");
            }
            finally
            {
                lock (gate)
                    running--;
            }
        }

        public Task WaitForStartsAsync(int count, TimeSpan patience) => Eventually.True(() => Starts.Count >= count, patience);

        public void Dispose()
        {
        }
    }

    /// <summary>Tells the test when the scheduler has armed a timer, so advancing the fake clock cannot race it.</summary>
    private sealed class SignallingTimeProvider(FakeTimeProvider fake) : TimeProvider, IDisposable
    {
        private readonly SemaphoreSlim timerCreated = new(0);

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override long GetTimestamp() => fake.GetTimestamp();

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = fake.CreateTimer(callback, state, dueTime, period);
            timerCreated.Release();
            return timer;
        }

        public async Task WaitForTimerAsync(TimeSpan patience) =>
            Assert.True(await timerCreated.WaitAsync(patience), "the scheduler never armed its timer");

        public void Dispose() => timerCreated.Dispose();
    }
}
