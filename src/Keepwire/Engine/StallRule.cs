namespace Keepwire.Engine;

/// <summary>
/// When a probe's failure is the hub's fault rather than the site's: a timeout that ran while the hub itself was
/// stalled. The answer may have been in the socket all along, unread, so the result is inconclusive: it counts
/// neither as a failure nor as a success, and the next probe decides. Only a timeout qualifies: a refusal, an
/// error or a bad answer came from the site, stalled hub or not.
/// </summary>
/// <remarks>
/// A probe answered in time by a healthy site times out only when the hub did not run from the moment the answer
/// arrived until the timeout was due; then it stalled for at least <c>timeout − answer time</c> inside the probe.
/// The loop-lag monitor sees a stall at most one of its periods late (<see cref="Health.LoopLagMonitor.Period"/>),
/// so a stall of at least <see cref="TimeoutShare"/> of the timeout (and at least <see cref="MinimumStall"/>,
/// the scheduling noise of a healthy hub) makes a timed-out probe inconclusive. That covers every false timeout of
/// a site that answers within a quarter of its timeout, when the timeout is at least 50 ms (the simulation's
/// invariant: <c>HubStallSimulationTests</c>). A site that is really dead is still found: the probes after the
/// stall count. A probe held inconclusive still shows the probes run, so it keeps its check from going stale: a hub that
/// stalls through every probe keeps each site's last verdict instead of counting every site failed.
/// </remarks>
public static class StallRule
{
    /// <summary>Shorter lags are the ordinary jitter of timers and threads, not a stall.</summary>
    public static readonly TimeSpan MinimumStall = TimeSpan.FromMilliseconds(10);

    /// <summary>The share of a probe's timeout the hub must have been stalled for to make its timeout inconclusive.</summary>
    public const double TimeoutShare = 0.25;

    /// <summary>How long the hub must have been stalled within a probe of <paramref name="timeout"/> for its timeout not to count.</summary>
    public static TimeSpan Threshold(TimeSpan timeout)
    {
        var share = timeout * TimeoutShare;
        return share > MinimumStall ? share : MinimumStall;
    }

    /// <summary>
    /// A timed-out probe that reported at least <see cref="MinimumStall"/> after its timeout was due is a stall by
    /// itself: the timer fired late because the hub did not run. Null otherwise.
    /// </summary>
    public static HubStall? LateTimeout(ProbeObservation probe)
    {
        if (probe.Result is not { Success: false, TimedOut: true } || probe.Timing is not { } timing)
            return null;
        var due = timing.Started + timing.Timeout;
        return probe.Result.Time - due >= MinimumStall ? new HubStall(due, probe.Result.Time) : null;
    }

    /// <summary>How long the hub was stalled during <paramref name="probe"/> when that makes it inconclusive; null when it counts.</summary>
    internal static TimeSpan? Inconclusive(ProbeObservation probe, HubStalls stalls)
    {
        if (probe.Result is not { Success: false, TimedOut: true } || probe.Timing is not { } timing)
            return null;
        return Inconclusive(timing.Started, probe.Result.Time, timing.Timeout, stalls);
    }

    /// <summary>
    /// How long the hub was stalled within a wait of <paramref name="timeout"/> from <paramref name="started"/> that
    /// ended unanswered at <paramref name="ended"/>, when that makes its silence inconclusive; null when it counts.
    /// A liveness loss is such a wait: its detection time.
    /// </summary>
    internal static TimeSpan? Inconclusive(DateTimeOffset started, DateTimeOffset ended, TimeSpan timeout, HubStalls stalls)
    {
        var stalled = stalls.Within(started, ended);
        return stalled >= Threshold(timeout) ? stalled : null;
    }
}
