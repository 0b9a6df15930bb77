using Keepwire.Model;

namespace Keepwire.Decisions;

/// <summary>
/// Rise/fall counting for one check at one site, as keepalived and HAProxy do it: a check becomes
/// healthy after <c>rise</c> successes in a row and unhealthy after <c>fall</c> failures in a row;
/// anything in between keeps the previous state, so a single lost probe changes nothing.
/// </summary>
/// <param name="since">When observation began: a check that has never reported goes stale from here (null: only once it has reported).</param>
internal sealed class CheckCounter(CheckDefinition definition, DateTimeOffset? since)
{
    private HealthState state = HealthState.Unknown;
    private int successes;
    private int failures;
    private string? lastDetail;
    private string? lastFailureDetail;
    private DateTimeOffset? lastResultAt;
    private DateTimeOffset? enteredAt;
    private DateTimeOffset? failingSince;
    private DateTimeOffset? refusedAt;
    private string? refusalDetail;

    public CheckDefinition Definition { get; } = definition;

    public HealthState State => state;

    public DateTimeOffset? Since => enteredAt;

    /// <summary>When this check's verdict goes stale unless a result arrives first; null when it cannot.</summary>
    public DateTimeOffset? StaleAt => (lastResultAt ?? since) + Definition.StaleAfter;

    /// <summary>No result for <see cref="CheckDefinition.StaleAfter"/>: the probes are not running, whatever the last verdict said.</summary>
    public bool IsStale(DateTimeOffset now) => now > StaleAt;

    /// <summary>
    /// A result that counts neither way (a timeout while the hub itself stalled): the probes are running, so the verdict
    /// is not stale, but nothing is counted. True when it made a stale verdict fresh again.
    /// </summary>
    public bool Heard(DateTimeOffset at)
    {
        var wasStale = IsStale(at);
        if (lastResultAt is null || at > lastResultAt)
            lastResultAt = at;
        return wasStale && !IsStale(at);
    }

    /// <summary>
    /// Counts a result; true when it changed what the check says: a rise or a fall completed, or a stale
    /// verdict is fresh again (its state may be the same as before it went stale, but it counts again).
    /// </summary>
    /// <summary>At least one result passed since this counter began (since the hub started, or the check was configured).</summary>
    public bool EverPassed { get; private set; }

    public bool Record(CheckResult result)
    {
        var before = state;
        var wasStale = IsStale(result.Time);
        lastDetail = result.Detail;
        lastResultAt = result.Time;
        if (result.Success)
        {
            // Passing after the refusal: the site answers, so the refusal was about that one client.
            if (result.Time >= refusedAt)
                refusedAt = null;
            EverPassed = true;
            successes++;
            failures = 0;
            failingSince = null;
            if (state != HealthState.Healthy && successes >= Definition.Rise)
                Enter(HealthState.Healthy, result.Time);
        }
        else
        {
            if (failures == 0)
                failingSince = result.Time;
            failures++;
            successes = 0;
            lastFailureDetail = result.Detail;
            var confirms = result.Time >= refusedAt;
            if (confirms)
                refusedAt = null;
            if (state != HealthState.Unhealthy && confirms)
            {
                // Clients were refused and now the probe fails too: two kinds of evidence agree, so one failure decides.
                lastDetail = lastFailureDetail = $"{result.Detail}, confirming {refusalDetail}";
                Enter(HealthState.Unhealthy, result.Time);
            }
            else if (state != HealthState.Unhealthy && failures >= Definition.Fall)
            {
                Enter(HealthState.Unhealthy, result.Time);
            }
        }
        return state != before || wasStale;
    }

    /// <summary>
    /// The site refused a forwarded client at <paramref name="at"/> (a RST answering its SYN, port unreachable
    /// for its datagram): passive evidence, which alone moves nothing, since one client can be refused for its own
    /// reasons. The next probe decides: a failure then takes the check down at once instead of after <c>fall</c>
    /// failures in a row; a pass clears it. True when this started a suspicion (none was pending and the check is not down).
    /// </summary>
    public bool Suspect(DateTimeOffset at, string detail)
    {
        if (state == HealthState.Unhealthy || refusedAt is not null)
            return false;
        refusedAt = at;
        refusalDetail = detail;
        return true;
    }

    /// <summary>
    /// The site stopped answering altogether (its liveness stream was lost): the check is down at once, whatever it
    /// counted, and only <see cref="CheckDefinition.Rise"/> passing probes bring it back, so a site whose liveness
    /// returns serves again only once its service answers too. True when that changed the state.
    /// </summary>
    public bool Interrupt(DateTimeOffset at, string detail)
    {
        var before = state;
        successes = 0;
        if (failures == 0)
            failingSince = at;
        failures = Math.Max(failures, Definition.Fall);
        lastDetail = detail;
        lastFailureDetail = detail;
        if (state != HealthState.Unhealthy)
            Enter(HealthState.Unhealthy, at);
        return state != before;
    }

    /// <summary>
    /// Another hub serves this site and judged it healthy: a check passing now but short of <c>rise</c> (recovering
    /// from a failure, or undecided since this hub started) counts as healthy from here, so this hub, taking over,
    /// moves the site only after <c>fall</c> failures, as the hub that chose it would. A check failing now is not
    /// vouched for. True when that changed the state.
    /// </summary>
    public bool Vouch(DateTimeOffset at)
    {
        if (state == HealthState.Healthy || successes == 0)
            return false;
        Enter(HealthState.Healthy, at);
        return true;
    }

    public CheckStatus Status(DateTimeOffset now) => new(Definition.Name, state, successes, failures, lastDetail, lastResultAt, enteredAt) { Stale = IsStale(now), FailingSince = failingSince };

    /// <summary>"http check is stale: no result for 6 s (are its probes running?)".</summary>
    public string DescribeStale(DateTimeOffset now) => lastResultAt is { } last
        ? $"{Definition.Name} check is stale: no result for {(now - last).TotalSeconds:0} s (are its probes running?)"
        : $"{Definition.Name} check is stale: no result in the {(now - since!.Value).TotalSeconds:0} s since probing began (are its probes running?)";

    /// <summary>"http check failed 3×: connection refused", or how far it is from deciding.</summary>
    public string Describe() => state switch
    {
        // A check on its way back still failed last time it decided; say why, not "failed 0×: status 200".
        HealthState.Unhealthy when successes > 0 => $"{Definition.Name} check failed: {lastFailureDetail} (recovering: {successes} of {Definition.Rise} successes)",
        HealthState.Unhealthy => $"{Definition.Name} check failed {failures}×: {lastDetail}",
        HealthState.Healthy when failures > 0 => $"{Definition.Name} check passing ({failures} of {Definition.Fall} failures: {lastDetail})",
        HealthState.Healthy => $"{Definition.Name} check passing",
        _ when lastResultAt is null => $"{Definition.Name} check has no result yet",
        _ when successes > 0 => $"{Definition.Name} check undecided ({successes} of {Definition.Rise} successes)",
        _ => $"{Definition.Name} check undecided ({failures} of {Definition.Fall} failures: {lastDetail})",
    };

    private void Enter(HealthState next, DateTimeOffset at)
    {
        state = next;
        enteredAt = at;
    }
}
