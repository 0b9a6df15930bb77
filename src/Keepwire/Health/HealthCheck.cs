using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// The part every probe shares: up to <see cref="CheckDefinition.Attempts"/> attempts under one timeout (on the
/// injected clock), the first success winning, the others started only when the first is slow to answer or
/// fails (<see cref="AttemptHedging"/>); turning exceptions into failed results with a readable detail; and
/// stamping the result's time.
/// </summary>
public abstract class HealthCheck(CheckDefinition definition, TimeProvider time) : IHealthCheck
{
    public CheckDefinition Definition { get; } = definition;

    protected TimeProvider Time { get; } = time;

    /// <summary>When this check's further attempts start; learns from every answer.</summary>
    public AttemptHedging Hedging { get; } = new();

    public async Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Definition.Timeout, Time);
        using var attemptsOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var more = Math.Max(1, Definition.Attempts) - 1;
        var hedgeDelay = Hedging.DelayWithin(Definition.Timeout);
        var pending = new List<Task<AttemptOutcome>>(more + 1) { AttemptAsync(site, address, timeout.Token, attemptsOver.Token) };
        Task? hedge = null;
        if (more > 0 && hedgeDelay <= TimeSpan.Zero)
            StartMore();
        else if (more > 0)
            hedge = Task.Delay(hedgeDelay, Time, attemptsOver.Token);

        // Wait for the first success, or for every attempt to fail: a refused connection is a definite
        // answer from one attempt, but another may still get through, so it is waited for.
        AttemptOutcome? best = null;
        while (pending.Count > 0 && best is not { Success: true })
        {
            var finished = hedge is null ? await Task.WhenAny(pending) : await Task.WhenAny([.. pending, hedge]);
            if (finished == hedge)
            {
                // Cancelled when the probe is over (timeout, caller): then nothing more starts.
                if (hedge.IsCompletedSuccessfully)
                    StartMore();
                hedge = null;
                continue;
            }

            var attempt = (Task<AttemptOutcome>)finished;
            pending.Remove(attempt);
            var outcome = await attempt;
            if (best is null || outcome.Telling > best.Telling)
                best = outcome;
            // A first attempt that failed outright (refused, reset, a bad status) does not wait for the hedge.
            if (!outcome.Success && more > 0 && !attemptsOver.IsCancellationRequested)
                StartMore();
        }

        // The losers hold sockets or processes: stop them and let them close before reporting.
        await attemptsOver.CancelAsync();
        await Task.WhenAll(pending);
        if (best is not { Success: true })
            cancellationToken.ThrowIfCancellationRequested();
        return new CheckResult(site, Definition.Name, Time.GetUtcNow(), best!.Success, best.Detail) { TimedOut = best.Telling == Telling.Timeout };

        void StartMore()
        {
            hedge = null;
            for (; more > 0; more--)
                pending.Add(AttemptAsync(site, address, timeout.Token, attemptsOver.Token));
        }
    }

    /// <summary>One attempt, never throwing: its outcome and how telling it is for the probe's detail.</summary>
    private async Task<AttemptOutcome> AttemptAsync(string site, IPAddress address, CancellationToken timedOut, CancellationToken over)
    {
        try
        {
            var started = Time.GetTimestamp();
            var (success, detail) = await ProbeCoreAsync(site, address, over);
            if (success)
                Hedging.Answered(Time.GetElapsedTime(started));
            return new AttemptOutcome(success, detail, success ? Telling.Success : Telling.Answer);
        }
        catch (Exception e)
        {
            if (timedOut.IsCancellationRequested)
                return new AttemptOutcome(false, ProbeErrors.Timeout(Definition.Timeout), Telling.Timeout);
            if (over.IsCancellationRequested)
                return new AttemptOutcome(false, "cancelled", Telling.Cancelled);
            return new AttemptOutcome(false, ProbeErrors.Describe(e), Telling.Error);
        }
    }

    /// <summary>One probe attempt; may throw (socket errors, cancellation on timeout): the caller describes the exception.</summary>
    protected abstract Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken);

    /// <summary>The port to probe, or an error naming the check when it has none.</summary>
    protected int RequirePort(int? fallback = null) =>
        Definition.Port ?? fallback ?? throw new InvalidOperationException($"check {Definition.Name} has no port");

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// Which failed attempt speaks for the probe, least telling first: an answer ("status 503") says
    /// what is wrong, an error ("connection refused") says where, a timeout only that nothing came back.
    /// </summary>
    private enum Telling
    {
        Cancelled,
        Timeout,
        Error,
        Answer,
        Success,
    }

    private sealed record AttemptOutcome(bool Success, string Detail, Telling Telling);
}
