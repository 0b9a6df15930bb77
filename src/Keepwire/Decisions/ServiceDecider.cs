using Keepwire.Model;

namespace Keepwire.Decisions;

/// <summary>
/// Decides which site serves one service. Policy "failover": the highest-priority eligible site
/// serves; a better site takes over again after it has been eligible for the preempt delay (unless
/// non-revertive); automatic switches are at least a hold-down apart; the operator can pin and drain.
/// Policy "manual" (cold standby, ServiceDecider.Manual.cs): only the operator moves the service.
/// Pure: observations go into <see cref="Health"/>, time comes from the <see cref="TimeProvider"/>,
/// and <see cref="Decide"/> returns the decision. Not thread-safe: one loop owns it.
/// </summary>
public sealed partial class ServiceDecider
{
    /// <summary>How many switches <see cref="History"/> keeps.</summary>
    public const int HistoryLimit = 100;

    private readonly Dictionary<string, int> priorities = new(StringComparer.Ordinal);
    private readonly List<DecisionEvent> history = [];
    private readonly TimeProvider time;
    private readonly DateTimeOffset startedAt;
    private ServiceDecision current;

    /// <summary>False until the first choice is made (or a previous one restored): the startup phase.</summary>
    private bool chosen;
    private bool restored;
    private string? pinnedSite;

    /// <summary>The pin was just set and not yet acted on: act now, without the preempt delay.</summary>
    private bool pinFresh;
    private DateTimeOffset? lastAutomaticSwitch;

    /// <summary>Grows with every operator action, restore or adoption: the inputs of <see cref="Decide"/> that are not health.</summary>
    private long ownChanges;

    /// <summary><see cref="Inputs"/> as of the last <see cref="Decide"/> that kept the site; -1 after a switch or before the first.</summary>
    private long stayedAt = -1;

    /// <param name="sites">All sites of the cluster (the last-resort site may be one outside the service).</param>
    /// <param name="service">Its <see cref="ServiceConfig.Policy"/> chooses failover or manual.</param>
    /// <param name="checks">The service's checks, run against each of its sites.</param>
    /// <param name="policy">The failover options; with the manual policy only their validation applies.</param>
    public ServiceDecider(
        ServiceConfig service,
        IReadOnlyList<SiteNode> sites,
        IReadOnlyList<CheckDefinition> checks,
        FailoverPolicyOptions policy,
        TimeProvider time,
        HealthTrackerOptions? healthOptions = null)
    {
        var errors = policy.Validate().Concat(checks.SelectMany(c => c.Validate())).ToList();
        foreach (var name in service.Sites)
        {
            var site = sites.FirstOrDefault(s => s.Name == name);
            if (site is null)
                errors.Add($"service {service.Name}: site {name} is not defined");
            else
                priorities[name] = site.Priority;
        }

        if (policy.NoHealthySite is NoHealthySiteBehavior.LastResortSite { Site: var lastResort } && sites.All(s => s.Name != lastResort))
            errors.Add($"service {service.Name}: last-resort site {lastResort} is not defined");
        if (errors.Count > 0)
            throw new ArgumentException(string.Join("; ", errors));

        Service = service.Name;
        ServicePolicy = service.Policy;
        Policy = policy;
        this.time = time;
        startedAt = time.GetUtcNow();
        SitesByPreference = [.. priorities.Keys.OrderByDescending(s => priorities[s]).ThenBy(s => s, StringComparer.Ordinal)];
        Health = new HealthTracker(SitesByPreference, checks, healthOptions, startedAt);
        current = new ServiceDecision(Service, null, DecisionReason.Starting, "no decision yet", startedAt, 0, null, true, false, null, null, null);
    }

    public string Service { get; }

    /// <summary>Failover (health moves the service) or manual (only the operator does).</summary>
    public ServicePolicy ServicePolicy { get; }

    public FailoverPolicyOptions Policy { get; }

    /// <summary>Where observations go: probe results, handshakes, agent reports.</summary>
    public HealthTracker Health { get; }

    /// <summary>The service's sites, best first (priority, then name).</summary>
    public IReadOnlyList<string> SitesByPreference { get; }

    /// <summary>The latest decision (what <see cref="Decide"/> returned last).</summary>
    public ServiceDecision Current => current;

    /// <summary>The last <see cref="HistoryLimit"/> switches and restores, oldest first.</summary>
    public IReadOnlyList<DecisionEvent> History => history;

    public string? PinnedSite => pinnedSite;

    internal DateTimeOffset StartedAt => startedAt;

    public int PriorityOf(string site) => priorities[site];

    /// <summary>Shorthand for <c>Health.Record</c>.</summary>
    public bool Record(CheckResult result) => Health.Record(result);

    /// <summary>
    /// Decides at the provider's current time. Call it after every observation or operator action,
    /// and at <see cref="ServiceDecision.RecheckAt"/>: decisions that depend only on time passing
    /// (preempt delay, hold-down, startup grace, a handshake going stale) are taken then.
    /// </summary>
    /// <remarks>
    /// Cheap when nothing changed: if neither the health (<see cref="HealthTracker.Revision"/>) nor the operator's
    /// inputs moved since a decision that kept the site, and its <see cref="ServiceDecision.RecheckAt"/> has not
    /// come, deciding again would give the same answer, so the last one is returned. A hub with a thousand
    /// services gets a result for hundreds of them ten times a second; most only confirm what is known.
    /// </remarks>
    public ServiceDecision Decide()
    {
        var now = time.GetUtcNow();
        var inputs = Inputs;
        if (inputs == stayedAt && (current.RecheckAt is not { } recheck || now < recheck))
            return current;
        var before = current.ServingSite;
        var decision = DecideNow(now);
        stayedAt = decision.ServingSite == before ? inputs : -1;
        return decision;
    }

    /// <summary>Both counters only grow, so an equal sum means neither moved.</summary>
    private long Inputs => Health.Revision + ownChanges;

    private ServiceDecision DecideNow(DateTimeOffset now)
    {
        if (ServicePolicy == ServicePolicy.Manual)
        {
            chosen = true; // health is irrelevant, so there is nothing to wait for at startup
            return Apply(now, ProposeManual(now));
        }

        var health = Health.EvaluateAll(now);
        var inGrace = now < startedAt + Policy.StartupGrace;
        if (pinnedSite is { } pin && !health[pin].IsEligible)
            pinFresh = false; // a pinned site that is down returns only after the preempt delay

        Step step;
        if (!chosen && inGrace && !BestSiteDecided(health, fresh: current.ServingSite is null))
        {
            step = Step.Stay($"waiting up to {Seconds(Policy.StartupGrace)} for first check results", startedAt + Policy.StartupGrace);
        }
        else
        {
            chosen = true;
            step = Propose(now, health, inGrace);
        }

        return Apply(now, step);
    }

    private ServiceDecision Apply(DateTimeOffset now, Step step)
    {
        // Under the manual policy time alone never changes the answer, not even a handshake going stale.
        var recheckAt = ServicePolicy == ServicePolicy.Manual ? null : Earliest(step.RecheckAt, Health.NextChangeAfter(now));
        var from = current.ServingSite;
        if (!step.IsSwitch || step.Target == from)
        {
            current = current with { Note = step.Note, RecheckAt = recheckAt };
            return current;
        }

        var automatic = step.Automatic && from is not null;
        if (automatic && lastAutomaticSwitch is { } last && now < last + Policy.HoldDown)
        {
            var until = last + Policy.HoldDown;
            var note = $"switch to {step.Target ?? "(none)"} held down until {Clock(until)} (last switch {Clock(last)}): {step.Detail}";
            current = current with { Note = note, RecheckAt = Earliest(until, recheckAt) };
            return current;
        }

        var epoch = current.Epoch + 1;
        if (automatic)
            lastAutomaticSwitch = now;
        current = new ServiceDecision(Service, step.Target, step.Reason, step.Detail, now, epoch, from, step.Planned, automatic, null, lastAutomaticSwitch, recheckAt);
        if (step.Target is not null && step.Target == pinnedSite)
            pinFresh = false;
        AddEvent(new DecisionEvent(now, Service, from, step.Target, step.Reason, step.Detail, step.Planned, automatic, epoch));
        return current;
    }

    private Step Propose(DateTimeOffset now, IReadOnlyDictionary<string, SiteHealth> health, bool inGrace)
    {
        var serving = current.ServingSite;
        var preferred = Preferred(health);
        if (serving is null)
        {
            return preferred is not null
                ? Step.Switch(preferred, DecisionReason.Selected, $"{DescribeChoice(preferred)}", planned: true, automatic: false)
                : NoEligibleSite(null, "no site is eligible", planned: true);
        }

        if (!priorities.ContainsKey(serving))
        {
            if (serving == LastResortSite)
            {
                return preferred is not null
                    ? Step.Switch(preferred, DecisionReason.Recovered, $"{DescribeChoice(preferred)}; leaving last-resort site {serving}", planned: true, automatic: true)
                    : Step.Stay($"no site is eligible; serving last-resort site {serving}");
            }

            var why = $"{serving} is no longer a site of {Service}";
            return Step.Switch(preferred ?? LastResortSite, DecisionReason.Reconfigured, preferred is null ? $"{why}; no site is eligible" : $"{why}; {DescribeChoice(preferred)}", planned: true, automatic: false);
        }

        var site = health[serving];
        if (site.IsEligible)
            return StayOrImprove(now, serving, health);

        if (inGrace && restored && NotReportedYet(site))
            return Step.Stay($"restored site {serving} has no results yet; waiting for them until {Clock(startedAt + Policy.StartupGrace)}", startedAt + Policy.StartupGrace);

        if (site.InMaintenance && site.State != HealthState.Unhealthy)
        {
            return preferred is not null
                ? Step.Switch(preferred, DecisionReason.Drained, $"{serving} is drained; {DescribeChoice(preferred)}", planned: true, automatic: false)
                : NoEligibleSite(serving, $"{serving} is drained but no other site is eligible", planned: true);
        }

        return preferred is not null
            ? Step.Switch(preferred, DecisionReason.Failover, $"{serving}: {site.Reason}; {DescribeChoice(preferred)}", planned: false, automatic: true)
            : NoEligibleSite(serving, $"{serving}: {site.Reason}; no other site is eligible", planned: false);
    }

    /// <summary>The serving site is eligible: go to the pinned site or preempt to a better one, or stay.</summary>
    private Step StayOrImprove(DateTimeOffset now, string serving, IReadOnlyDictionary<string, SiteHealth> health)
    {
        if (pinnedSite is { } pin && pin != serving && health[pin].IsEligible)
        {
            if (pinFresh)
                return Step.Switch(pin, DecisionReason.Pinned, $"operator pinned {Service} to {pin}", planned: true, automatic: false);
            var pinReady = health[pin].EligibleSince!.Value + Policy.PreemptDelay;
            return now >= pinReady
                ? Step.Switch(pin, DecisionReason.Pinned, $"pinned site {pin} eligible again for {Seconds(Policy.PreemptDelay)}", planned: true, automatic: true)
                : Step.Stay($"returning to pinned site {pin} at {Clock(pinReady)}", pinReady);
        }

        if (pinnedSite == serving || !Policy.Preempt)
            return Step.Stay(null);

        var best = SitesByPreference.FirstOrDefault(s => health[s].IsEligible);
        if (best is null || best == serving || priorities[best] <= priorities[serving])
            return Step.Stay(null);

        var ready = health[best].EligibleSince!.Value + Policy.PreemptDelay;
        return now >= ready
            ? Step.Switch(best, DecisionReason.Preempted, $"{best} (priority {priorities[best]}) eligible for {Seconds(Policy.PreemptDelay)}, better than {serving} (priority {priorities[serving]})", planned: true, automatic: true)
            : Step.Stay($"preempting to {best} at {Clock(ready)} if it stays eligible", ready);
    }

    private Step NoEligibleSite(string? serving, string why, bool planned)
    {
        if (LastResortSite is { } lastResort && lastResort != serving)
            return Step.Switch(lastResort, DecisionReason.LastResort, $"{why}; last-resort site {lastResort}", planned, automatic: true);
        return Step.Stay(serving is null ? why : $"{why}; keeping {serving}");
    }

    /// <summary>
    /// At startup: true when waiting longer cannot change the first choice, because the best site not known
    /// to be out is known to be eligible (or every site is known to be out). A site whose tunnel has not come
    /// up yet (no WireGuard handshake since the hub started) is not known to be out: its probes failed because
    /// they could not reach it, not because its service is down, so a fresh hub waits for it (within the
    /// grace) rather than choosing a worse site first and preempting to it moments later.
    /// </summary>
    /// <param name="fresh">No site serves yet (no restored decision): a site that has not passed once may still be coming up.</param>
    private bool BestSiteDecided(IReadOnlyDictionary<string, SiteHealth> health, bool fresh)
    {
        foreach (var site in PinnedFirst())
        {
            var h = health[site];
            if (h.IsEligible)
                return true;
            if (NotReportedYet(h) || (fresh && h.NeverPassed && !h.InMaintenance))
                return false;
        }

        return true;
    }

    /// <summary>Neither known to be up nor known to be down: no verdict yet, or a tunnel that has not come up.</summary>
    private static bool NotReportedYet(SiteHealth health) =>
        !health.InMaintenance && (health.State == HealthState.Unknown || health.AwaitingHandshake);

    /// <summary>The pinned site when eligible, else the best eligible site by priority.</summary>
    private string? Preferred(IReadOnlyDictionary<string, SiteHealth> health) =>
        PinnedFirst().FirstOrDefault(s => health[s].IsEligible);

    private IEnumerable<string> PinnedFirst() =>
        pinnedSite is { } pin ? SitesByPreference.Where(s => s == pin).Concat(SitesByPreference.Where(s => s != pin)) : SitesByPreference;

    private string? LastResortSite => Policy.NoHealthySite is NoHealthySiteBehavior.LastResortSite { Site: var site } ? site : null;

    private string DescribeChoice(string site) => site == pinnedSite
        ? $"{site} is the pinned site"
        : $"{site} is the highest-priority eligible site (priority {priorities[site]})";

    private void AddEvent(DecisionEvent decisionEvent)
    {
        if (history.Count == HistoryLimit)
            history.RemoveAt(0);
        history.Add(decisionEvent);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static string Clock(DateTimeOffset t) => t.ToString("HH:mm:ss.fff");

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.###} s";

    /// <summary>What the policy wants: stay (with a note), or switch to a target.</summary>
    private readonly record struct Step(bool IsSwitch, string? Target, DecisionReason Reason, string Detail, bool Planned, bool Automatic, string? Note, DateTimeOffset? RecheckAt)
    {
        public static Step Stay(string? note, DateTimeOffset? recheckAt = null) => new(false, null, default, "", false, false, note, recheckAt);

        public static Step Switch(string? target, DecisionReason reason, string detail, bool planned, bool automatic) =>
            new(true, target, reason, detail, planned, automatic, null, null);
    }
}
