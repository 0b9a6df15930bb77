using System.Threading.Channels;
using Keepwire.Decisions;
using Microsoft.Extensions.Logging;

namespace Keepwire.Health;

/// <summary>
/// Runs every target's probe on its interval and writes each result to a channel the hub loop reads
/// (the decision core is single-threaded; the channel is the hand-over). Probes of one target never
/// overlap: the next starts an interval after the previous one started, or at once if it took longer;
/// this is what <see cref="CheckDefinition.DetectionBound"/> assumes. Waiting uses the
/// <see cref="TimeProvider"/>'s timers (Task.Delay over TimeProvider.CreateTimer), so tests advance a
/// fake clock instead of sleeping. The first probes start immediately, for a quick first decision.
/// </summary>
public sealed class CheckScheduler : IAsyncDisposable
{
    private readonly IReadOnlyList<ProbeTarget> targets;
    private readonly ChannelWriter<ServiceCheckResult> results;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;

    public CheckScheduler(IReadOnlyList<ProbeTarget> targets, ChannelWriter<ServiceCheckResult> results, TimeProvider time, ILogger<CheckScheduler> logger)
    {
        this.targets = targets;
        this.results = results;
        this.time = time;
        this.logger = logger;
    }

    public IReadOnlyList<ProbeTarget> Targets => targets;

    /// <summary>Starts probing. Results arrive on the channel until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        if (running != Task.CompletedTask)
            throw new InvalidOperationException("the scheduler is already running");
        Log.SchedulerStarted(logger, targets.Count);
        running = Task.WhenAll(targets.Select(target => Task.Run(() => RunAsync(target, stopping.Token))));
    }

    /// <summary>Stops every probe loop and waits for them. Does not complete the channel or dispose the checks: the caller owns both.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await running;
        stopping.Dispose();
    }

    private async Task RunAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        var interval = target.Check.Definition.Interval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                var result = await ProbeOnceAsync(target, cancellationToken);
                await results.WriteAsync(new ServiceCheckResult(target.Service, result), cancellationToken);
                var wait = interval - time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
            // The reader is gone: nobody wants results any more.
        }
    }

    private async Task<CheckResult> ProbeOnceAsync(ProbeTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await target.Check.ProbeAsync(target.Site, target.Address, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ProbeCrashed(logger, e, target.Service, target.Site, target.Check.Definition.Name);
            return CheckResult.Failed(target.Site, target.Check.Definition.Name, time.GetUtcNow(), $"probe error: {e.Message}");
        }
    }
}
