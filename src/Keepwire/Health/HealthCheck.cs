using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// The part every probe shares: <see cref="CheckDefinition.Attempts"/> attempts in parallel under one
/// timeout (on the injected clock), the first success winning; turning exceptions into failed results
/// with a readable detail; and stamping the result's time.
/// </summary>
public abstract class HealthCheck(CheckDefinition definition, TimeProvider time) : IHealthCheck
{
    public CheckDefinition Definition { get; } = definition;

    protected TimeProvider Time { get; } = time;

    public async Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Definition.Timeout, Time);
        using var attemptsOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var pending = Enumerable.Range(0, Math.Max(1, Definition.Attempts))
            .Select(_ => AttemptAsync(site, address, timeout.Token, attemptsOver.Token))
            .ToList();

        // Wait for the first success, or for every attempt to fail: a refused connection is a definite
        // answer from one attempt, but the other may still get through, so it is waited for.
        AttemptOutcome? best = null;
        while (pending.Count > 0 && best is not { Success: true })
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            var outcome = await finished;
            if (best is null || outcome.Telling > best.Telling)
                best = outcome;
        }

        // The losers hold sockets or processes: stop them and let them close before reporting.
        await attemptsOver.CancelAsync();
        await Task.WhenAll(pending);
        if (best is not { Success: true })
            cancellationToken.ThrowIfCancellationRequested();
        return new CheckResult(site, Definition.Name, Time.GetUtcNow(), best!.Success, best.Detail);
    }

    /// <summary>One attempt, never throwing: its outcome and how telling it is for the probe's detail.</summary>
    private async Task<AttemptOutcome> AttemptAsync(string site, IPAddress address, CancellationToken timedOut, CancellationToken over)
    {
        try
        {
            var (success, detail) = await ProbeCoreAsync(site, address, over);
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
