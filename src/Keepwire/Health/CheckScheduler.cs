using System.Threading.Channels;
using Keepwire.Decisions;
using Microsoft.Extensions.Logging;

namespace Keepwire.Health;

/// <summary>
/// Runs every stream of the <see cref="ProbePlan"/> on its beat and writes each result once to a channel
/// the hub loop reads (the decision core is single-threaded; the channel is the hand-over; the loop fans a
/// result out to the stream's subscribers). A stream beats every interval while its site passes and every fast
/// interval while the site is in question (<see cref="ProbeCadence"/>); <see cref="Hasten"/> puts a site's streams in
/// question at once. A probe of a stream starts on every beat whether or not earlier ones have finished, so a probe
/// waiting out its timeout does not delay the next one; at <see cref="Model.CheckDefinition.MaxProbesInFlight"/>
/// unreported probes a beat is skipped. Results are reported in the order their probes started: the health tracker
/// counts results in a row, and a success that left the site before it died must not land between the
/// failures after the death. This is what <see cref="Model.CheckDefinition.DetectionBound"/> assumes.
/// Waiting uses the <see cref="TimeProvider"/>'s timers (Task.Delay over TimeProvider.CreateTimer), so
/// tests advance a fake clock instead of sleeping. The first probes start immediately, for a quick
/// first decision.
/// Besides each stream's own cap, all streams together keep at most <see cref="MaxAttemptsInFlight"/> attempts
/// (each an open socket or a child process) unreported: beyond it beats are skipped, so however the plan
/// looks, probing cannot exhaust the hub's file descriptors.
/// </summary>
public sealed class CheckScheduler : IAsyncDisposable
{
    /// <summary>
    /// Default cap on attempts in flight over all streams. The config caps a site's attempt rate
    /// (<see cref="ProbeSpec.MaxAttemptsPerSecondPerSite"/>); at default timing an attempt is in flight for at
    /// most the timeout, so 20 sites at that cap keep ~2 500 open; this only bites when timeouts are long.
    /// </summary>
    public const int DefaultMaxAttemptsInFlight = 4096;

    private readonly IReadOnlyList<ProbeTarget> targets;
    private readonly ProbeCadence[] cadences;
    private readonly ChannelWriter<ProbeStreamResult> results;
    private readonly InFlightCount attemptsInFlight = new();
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public CheckScheduler(IReadOnlyList<ProbeTarget> targets, ChannelWriter<ProbeStreamResult> results, TimeProvider time, ILogger<CheckScheduler> logger, int maxAttemptsInFlight = DefaultMaxAttemptsInFlight)
    {
        this.targets = targets;
        cadences = [.. targets.Select(t => new ProbeCadence(t.Check.Definition))];
        MaxAttemptsInFlight = maxAttemptsInFlight;
        this.results = results;
        this.time = time;
        this.logger = logger;
    }

    public IReadOnlyList<ProbeTarget> Targets => targets;

    /// <summary>Attempts started and not yet reported, over all streams, at which beats are skipped.</summary>
    public int MaxAttemptsInFlight { get; }

    /// <summary>Starts probing. Results arrive on the channel until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        if (running != Task.CompletedTask)
            throw new InvalidOperationException("the scheduler is already running");
        Log.SchedulerStarted(logger, targets.Count);
        running = Task.WhenAll(targets.Select((target, i) => Task.Run(() => RunAsync(target, cadences[i], stopping.Token))));
    }

    /// <summary>
    /// Puts every stream of <paramref name="site"/> in question: each starts a probe at once (unless it already probes
    /// at the fast pace) and goes on at the fast pace until its site passes rise probes in a row. For evidence that
    /// the probes must confirm or refute quickly: a refusal, a lost liveness stream.
    /// </summary>
    public void Hasten(string site)
    {
        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i].Stream.Site == site)
                cadences[i].Hasten();
        }
    }

    /// <summary>Streams probing at the fast pace now.</summary>
    public int StreamsInQuestion => cadences.Count(c => c.InQuestion);

    /// <summary>
    /// Stops every probe loop and waits for them and for the probes still running (they are cancelled).
    /// Does not complete the channel or dispose the checks: the caller owns both.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await running;
        stopping.Dispose();
    }

    private async Task RunAsync(ProbeTarget target, ProbeCadence cadence, CancellationToken cancellationToken)
    {
        // Probes in start order, not yet reported; the reporter drains it from the front.
        var unreported = Channel.CreateUnbounded<Task<(CheckResult Result, TimeSpan Duration)>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var inFlight = new InFlightCount();
        var reporting = ReportInOrderAsync(target, cadence, unreported.Reader, inFlight, cancellationToken);
        try
        {
            await StartOnEveryBeatAsync(target, cadence, unreported.Writer, inFlight, cancellationToken);
        }
        finally
        {
            unreported.Writer.Complete();
            await reporting;
        }
    }

    private async Task StartOnEveryBeatAsync(ProbeTarget target, ProbeCadence cadence, ChannelWriter<Task<(CheckResult Result, TimeSpan Duration)>> unreported, InFlightCount inFlight, CancellationToken cancellationToken)
    {
        var definition = target.Check.Definition;
        var attempts = definition.Attempts;
        var origin = time.GetTimestamp();
        var beatAt = TimeSpan.Zero;
        var skipping = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (inFlight.Value < definition.MaxProbesInFlight && attemptsInFlight.TryAdd(attempts, MaxAttemptsInFlight))
                {
                    inFlight.Increment();
                    unreported.TryWrite(Task.Run(() => ProbeOnceAsync(target, cancellationToken), CancellationToken.None));
                    skipping = false;
                }
                else if (!skipping)
                {
                    // Once per run of skipped beats: at ten beats a second, every one would flood the log.
                    if (inFlight.Value >= definition.MaxProbesInFlight)
                        Log.BeatSkipped(logger, target.Stream.Describe(), definition.MaxProbesInFlight);
                    else
                        Log.BeatSkippedHubWide(logger, target.Stream.Describe(), MaxAttemptsInFlight);
                    skipping = true;
                }

                // Beats are a period apart from when the last one was due, not from when it ran, so a late timer
                // does not shift every later probe; after a stall the missed beats are not made up in a burst:
                // the next beat is the next one still ahead. Going into question starts a beat at once.
                var period = cadence.Period;
                var elapsed = time.GetElapsedTime(origin);
                beatAt += period;
                if (beatAt <= elapsed)
                    beatAt += period * (Math.Floor((elapsed - beatAt) / period) + 1);
                if (await cadence.WaitAsync(beatAt - elapsed, time, cancellationToken))
                    beatAt = time.GetElapsedTime(origin);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReportInOrderAsync(ProbeTarget target, ProbeCadence cadence, ChannelReader<Task<(CheckResult Result, TimeSpan Duration)>> unreported, InFlightCount inFlight, CancellationToken cancellationToken)
    {
        var attempts = target.Check.Definition.Attempts;
        var readerGone = false;
        // Drains to the end even when stopping, so disposal waits for every probe still running.
        await foreach (var probe in unreported.ReadAllAsync(CancellationToken.None))
        {
            CheckResult result;
            TimeSpan duration;
            try
            {
                (result, duration) = await probe;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            finally
            {
                // Finished, so no longer in flight, even if its report waits for a full channel below.
                inFlight.Decrement();
                attemptsInFlight.Add(-attempts);
            }

            cadence.Reported(result.Success);
            if (readerGone || cancellationToken.IsCancellationRequested)
                continue;
            try
            {
                await results.WriteAsync(new ProbeStreamResult(target.Stream, result) { Duration = duration }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (ChannelClosedException)
            {
                // The reader is gone: nobody wants results any more, so stop probing everything.
                readerGone = true;
                await stopping.CancelAsync();
            }
        }
    }

    private async Task<(CheckResult Result, TimeSpan Duration)> ProbeOnceAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var result = await target.Check.ProbeAsync(target.Stream.Site, target.Stream.Address, cancellationToken);
            return (result, time.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ProbeCrashed(logger, e, target.Stream.Describe());
            return (CheckResult.Failed(target.Stream.Site, target.Check.Definition.Name, time.GetUtcNow(), $"probe error: {e.Message}"), time.GetElapsedTime(started));
        }
    }

    /// <summary>Probes (or attempts) started and not yet reported; shared by beat loops and reporters.</summary>
    private sealed class InFlightCount
    {
        private int value;

        public int Value => Volatile.Read(ref value);

        public void Increment() => Interlocked.Increment(ref value);

        public void Decrement() => Interlocked.Decrement(ref value);

        public void Add(int amount) => Interlocked.Add(ref value, amount);

        /// <summary>Adds <paramref name="amount"/> unless that would pass <paramref name="limit"/>.</summary>
        public bool TryAdd(int amount, int limit)
        {
            var current = Volatile.Read(ref value);
            while (current + amount <= limit)
            {
                var seen = Interlocked.CompareExchange(ref value, current + amount, current);
                if (seen == current)
                    return true;
                current = seen;
            }
            return false;
        }
    }
}
