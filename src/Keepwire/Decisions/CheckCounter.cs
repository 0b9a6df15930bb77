using Keepwire.Model;

namespace Keepwire.Decisions;

/// <summary>
/// Rise/fall counting for one check at one site, as keepalived and HAProxy do it: a check becomes
/// healthy after <c>rise</c> successes in a row and unhealthy after <c>fall</c> failures in a row;
/// anything in between keeps the previous state, so a single lost probe changes nothing.
/// </summary>
internal sealed class CheckCounter(CheckDefinition definition)
{
    private HealthState state = HealthState.Unknown;
    private int successes;
    private int failures;
    private string? lastDetail;
    private string? lastFailureDetail;
    private DateTimeOffset? lastResultAt;
    private DateTimeOffset? since;

    public CheckDefinition Definition { get; } = definition;

    public HealthState State => state;

    public DateTimeOffset? Since => since;

    public void Record(CheckResult result)
    {
        lastDetail = result.Detail;
        lastResultAt = result.Time;
        if (result.Success)
        {
            successes++;
            failures = 0;
            if (state != HealthState.Healthy && successes >= Definition.Rise)
                Enter(HealthState.Healthy, result.Time);
        }
        else
        {
            failures++;
            successes = 0;
            lastFailureDetail = result.Detail;
            if (state != HealthState.Unhealthy && failures >= Definition.Fall)
                Enter(HealthState.Unhealthy, result.Time);
        }
    }

    public CheckStatus Status() => new(Definition.Name, state, successes, failures, lastDetail, lastResultAt, since);

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
        since = at;
    }
}
