using System.Net;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.Health;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Health;

public sealed class CheckSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly CheckDefinition Definition = new("http", CheckKind.Http) { Interval = TimeSpan.FromMilliseconds(200) };

    private readonly FakeTimeProvider fake = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly Channel<ServiceCheckResult> results = Channel.CreateUnbounded<ServiceCheckResult>();

    private CheckScheduler Scheduler(TimeProvider time, params IHealthCheck[] checks) => new(
        [.. checks.Select((c, i) => new ProbeTarget("web", $"s{i}", IPAddress.Loopback, c))],
        results.Writer,
        time,
        NullLogger<CheckScheduler>.Instance);

    private async Task<ServiceCheckResult> NextResult()
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
        Assert.Equal("web", first.Service);
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
    public async Task A_probe_longer_than_the_interval_is_followed_at_once_never_overlapped()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = new ScriptedCheck(Definition, fake, n => n == 0 ? release.Task : Task.FromResult(true));
        await using var scheduler = Scheduler(fake, check);
        scheduler.Start();

        await check.WaitForStartsAsync(1, Patience);
        fake.Advance(TimeSpan.FromMilliseconds(500));
        release.SetResult(false);
        Assert.False((await NextResult()).Result.Success);
        Assert.True((await NextResult()).Result.Success);

        var start = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal([start, start.AddMilliseconds(500)], check.Starts.Take(2));
        Assert.Equal(1, check.MaxConcurrent);
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

        public async Task WaitForStartsAsync(int count, TimeSpan patience)
        {
            var deadline = DateTime.UtcNow + patience;
            while (Starts.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} probes started");
                await Task.Delay(5);
            }
        }

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
