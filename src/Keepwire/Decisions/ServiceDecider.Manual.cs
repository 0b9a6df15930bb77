namespace Keepwire.Decisions;

/// <summary>
/// Policy "manual" (cold standby): health is tracked and shown but never moves the service; only
/// the operator does, with pin (<c>keepwire failover SERVICE --to SITE</c>), drain and undrain.
/// Every switch is planned and not automatic, so the hold-down never applies and nothing waits
/// for time: <see cref="ServiceDecision.RecheckAt"/> is always null.
/// </summary>
public sealed partial class ServiceDecider
{
    /// <summary>
    /// The rules, in order: a pinned site that is not drained serves, whatever its health (the
    /// operator decides); with nothing serving yet, the highest-priority site that is not drained
    /// serves at once; a drained serving site hands over to the highest-priority site that is not
    /// drained, or keeps serving if every site is drained; otherwise the serving site stays, so an
    /// undrained or recovered better site never preempts.
    /// </summary>
    private Step ProposeManual(DateTimeOffset now)
    {
        var serving = current.ServingSite;
        if (pinnedSite is { } pin && pin != serving && !Health.IsInMaintenance(pin))
        {
            var why = pinFresh ? $"operator pinned {Service} to {pin}" : $"pinned site {pin} is no longer drained";
            return Step.Switch(pin, DecisionReason.Pinned, $"{why}{HealthAside(pin, now)}", planned: true, automatic: false);
        }

        var best = SitesByPreference.FirstOrDefault(s => !Health.IsInMaintenance(s));
        if (serving is null)
        {
            return best is not null
                ? Step.Switch(best, DecisionReason.Selected, $"{best} is the highest-priority site (priority {priorities[best]}; manual policy: health does not move it)", planned: true, automatic: false)
                : Step.Stay("every site is drained; undrain or pin one to serve");
        }

        if (!priorities.ContainsKey(serving))
        {
            var why = $"{serving} is no longer a site of {Service}";
            return best is not null
                ? Step.Switch(best, DecisionReason.Reconfigured, $"{why}; {best} is the highest-priority site that is not drained (priority {priorities[best]})", planned: true, automatic: false)
                : Step.Stay($"{why} but every site is drained; keeping {serving}");
        }

        if (Health.IsInMaintenance(serving))
        {
            return best is not null
                ? Step.Switch(best, DecisionReason.Drained, $"{serving} is drained; {best} is the highest-priority site that is not drained (priority {priorities[best]}){HealthAside(best, now)}", planned: true, automatic: false)
                : Step.Stay($"{serving} is drained but every other site is drained too; keeping {serving}");
        }

        var health = Health.Evaluate(serving, now);
        return health.State == HealthState.Unhealthy
            ? Step.Stay($"{serving} is unhealthy ({health.Reason}) but the policy is manual: move it with `keepwire failover {Service} --to SITE`")
            : Step.Stay(null);
    }

    /// <summary>Says so in the switch's detail when the operator sends traffic to a site not known to be healthy.</summary>
    private string HealthAside(string site, DateTimeOffset now)
    {
        var health = Health.Evaluate(site, now);
        return health.State == HealthState.Healthy ? "" : $" ({site} is {health.State.ToString().ToLowerInvariant()}: {health.Reason}; manual policy: health does not move it)";
    }
}
