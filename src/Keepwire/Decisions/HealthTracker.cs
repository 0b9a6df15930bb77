using Keepwire.Model;

namespace Keepwire.Decisions;

/// <summary>
/// Everything known about the health of the sites of one service: rise/fall state per site per
/// check, the site's liveness stream, the WireGuard handshake age, the site agent's own report, and maintenance (drain).
/// Pure and single-threaded: observations in, <see cref="SiteHealth"/> out, time passed in.
/// </summary>
public sealed class HealthTracker
{
    /// <summary>Pseudo-check names the extra signals appear under in reasons.</summary>
    public const string WireGuardSignal = "wireguard";
    public const string AgentSignal = "agent";

    private readonly Dictionary<string, SiteRecord> sites = new(StringComparer.Ordinal);
    private readonly HealthTrackerOptions options;

    /// <param name="since">When observation began: a check with no result from then on goes stale (null: only a check that has reported can).</param>
    public HealthTracker(IEnumerable<string> sites, IReadOnlyList<CheckDefinition> checks, HealthTrackerOptions? options = null, DateTimeOffset? since = null)
    {
        this.options = options ?? HealthTrackerOptions.Default;
        var duplicate = checks.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"check name {duplicate.Key} is used twice", nameof(checks));
        foreach (var site in sites)
            this.sites[site] = new SiteRecord(checks, since);
        Checks = checks;
        Sites = [.. this.sites.Keys];
    }

    public IReadOnlyList<string> Sites { get; }

    public IReadOnlyList<CheckDefinition> Checks { get; }

    /// <summary>
    /// Grows whenever an observation changes what <see cref="Evaluate"/> can say about a site's eligibility: a
    /// check rising or falling, a new handshake, an agent report that says something else, maintenance.
    /// Repeated results that confirm a state leave it alone; what changes by time alone is announced by
    /// <see cref="NextChangeAfter"/> instead. So a decider whose inputs did not grow can skip deciding.
    /// </summary>
    public long Revision { get; private set; }

    /// <summary>Counts a probe result. False (and ignored) for a site or check this tracker does not know.</summary>
    public bool Record(CheckResult result)
    {
        if (!sites.TryGetValue(result.Site, out var site) || !site.Checks.TryGetValue(result.Check, out var counter))
            return false;
        if (counter.Record(result))
            Revision++;
        return true;
    }

    /// <summary>
    /// A result that counts neither way (<see cref="CheckCounter.Heard"/>): it keeps the check from going stale. True when
    /// that made a stale check fresh again, the only change it can make.
    /// </summary>
    public bool RecordInconclusive(CheckResult result)
    {
        if (!sites.TryGetValue(result.Site, out var site) || !site.Checks.TryGetValue(result.Check, out var counter) || !counter.Heard(result.Time))
            return false;
        Revision++;
        return true;
    }

    /// <summary>
    /// Records the site's latest WireGuard handshake as read at <paramref name="observedAt"/>;
    /// null means it never completed one. Until the first call the signal is not considered.
    /// </summary>
    public bool RecordHandshake(string site, DateTimeOffset? latestHandshake, DateTimeOffset observedAt)
    {
        if (!sites.TryGetValue(site, out var record))
            return false;
        var wasFresh = record.HandshakeObserved && !IsStale(record.LatestHandshake, observedAt);
        var isFresh = !IsStale(latestHandshake, observedAt);
        if (isFresh && !wasFresh)
            record.HandshakeFreshSince = record.HandshakeObserved ? observedAt : DateTimeOffset.MinValue;
        if (!record.HandshakeObserved || record.LatestHandshake != latestHandshake)
            Revision++;
        record.HandshakeObserved = true;
        record.LatestHandshake = latestHandshake;
        return true;
    }

    /// <summary>Records what the site's agent says about itself; it holds until the next report.</summary>
    public bool RecordAgentReport(SiteAgentReport report)
    {
        if (!sites.TryGetValue(report.Site, out var record))
            return false;
        var wasHealthy = record.AgentReport?.Healthy ?? true;
        if (report.Healthy && !wasHealthy)
            record.AgentHealthySince = report.Time;
        if (record.AgentReport is not { } previous || previous.Healthy != report.Healthy || previous.Reason != report.Reason)
            Revision++;
        record.AgentReport = report;
        return true;
    }

    /// <summary>
    /// Records the site's liveness stream: <paramref name="lostDetail"/> non-null when it was lost ("liveness lost for
    /// 150 ms (3 of 3 missed)"), null when it answers again. A loss makes the site unhealthy at once and takes every
    /// check down with it (<see cref="CheckCounter.Interrupt"/>), so liveness answering again alone does not make it
    /// eligible: its checks must pass <c>rise</c> times first.
    /// </summary>
    public bool RecordLiveness(string site, string? lostDetail, DateTimeOffset at)
    {
        if (!sites.TryGetValue(site, out var record))
            return false;
        if (record.LivenessLost == lostDetail)
            return true;
        var wasLost = record.LivenessLost is not null;
        record.LivenessLost = lostDetail;
        if (lostDetail is not null && !wasLost)
        {
            foreach (var counter in record.Checks.Values)
                counter.Interrupt(at, lostDetail);
        }
        if (wasLost != (lostDetail is not null))
            Revision++;
        return true;
    }

    /// <summary>
    /// <paramref name="site"/> refused a forwarded client of this service: every check of the site is suspected
    /// (<see cref="CheckCounter.Suspect"/>), so its next failing probe takes the site down at once. True when that
    /// started a suspicion of some check.
    /// </summary>
    public bool RecordRefusal(string site, DateTimeOffset at, string detail)
    {
        if (!sites.TryGetValue(site, out var record))
            return false;
        var suspected = false;
        foreach (var counter in record.Checks.Values)
            suspected |= counter.Suspect(at, detail);
        return suspected;
    }

    /// <summary>
    /// The hub this one follows serves <paramref name="site"/>: its checks that pass now count as healthy
    /// (<see cref="CheckCounter.Vouch"/>). Nothing else changes: a lost liveness stream, a failing check, a stale
    /// handshake or an unhealthy agent report still count against it.
    /// </summary>
    public bool Vouch(string site, DateTimeOffset at)
    {
        if (!sites.TryGetValue(site, out var record))
            return false;
        var changed = false;
        foreach (var counter in record.Checks.Values)
            changed |= counter.Vouch(at);
        if (changed)
            Revision++;
        return changed;
    }

    /// <summary>Drains (true) or undrains a site. Leaving maintenance restarts the site's eligibility clock.</summary>
    public bool SetMaintenance(string site, bool inMaintenance, DateTimeOffset at)
    {
        if (!sites.TryGetValue(site, out var record))
            return false;
        if (record.InMaintenance && !inMaintenance)
            record.MaintenanceEndedAt = at;
        if (record.InMaintenance != inMaintenance)
            Revision++;
        record.InMaintenance = inMaintenance;
        return true;
    }

    public bool IsInMaintenance(string site) => sites.TryGetValue(site, out var record) && record.InMaintenance;

    public SiteHealth Evaluate(string site, DateTimeOffset now)
    {
        if (!sites.TryGetValue(site, out var record))
            throw new ArgumentException($"site {site} is not tracked for this service", nameof(site));

        var problems = new List<string>();
        var undecided = new List<string>();
        var healthySince = DateTimeOffset.MinValue;
        foreach (var counter in record.Checks.Values)
        {
            if (counter.IsStale(now))
            {
                problems.Add(counter.DescribeStale(now));
                continue;
            }

            // A lost liveness stream took every check down with it (CheckCounter.Interrupt): it is the one reason, said once.
            if (record.LivenessLost is not null && counter.State == HealthState.Unhealthy)
                continue;

            switch (counter.State)
            {
                case HealthState.Unhealthy:
                    problems.Add(counter.Describe());
                    break;
                case HealthState.Unknown:
                    undecided.Add(counter.Describe());
                    break;
                default:
                    healthySince = Max(healthySince, counter.Since!.Value);
                    break;
            }
        }

        if (record.HandshakeObserved)
        {
            if (IsStale(record.LatestHandshake, now))
                problems.Add(record.LatestHandshake is { } latest
                    ? $"{WireGuardSignal} handshake is {Seconds(now - latest)} old (stale after {Seconds(options.HandshakeStaleAfter)})"
                    : $"{WireGuardSignal} has never completed a handshake");
            else
                healthySince = Max(healthySince, record.HandshakeFreshSince);
        }

        if (record.LivenessLost is { } lost)
            problems.Insert(0, lost);

        if (record.AgentReport is { Healthy: false } report)
            problems.Add($"{AgentSignal} reports unhealthy: {report.Reason}");
        else
            healthySince = Max(healthySince, record.AgentHealthySince);

        var state = problems.Count > 0 ? HealthState.Unhealthy
            : undecided.Count > 0 ? HealthState.Unknown
            : HealthState.Healthy;
        var reason = state switch
        {
            HealthState.Unhealthy => string.Join("; ", problems),
            HealthState.Unknown => string.Join("; ", undecided),
            _ => record.Checks.Count == 0 ? "no checks failing" : string.Join("; ", record.Checks.Values.Select(c => c.Describe())),
        };
        if (record.InMaintenance)
            reason = $"drained; {reason}";

        DateTimeOffset? eligibleSince = state == HealthState.Healthy && !record.InMaintenance
            ? Max(healthySince, record.MaintenanceEndedAt)
            : null;
        return new SiteHealth(site, state, record.InMaintenance, reason, eligibleSince, [.. record.Checks.Values.Select(c => c.Status(now))])
        {
            AwaitingHandshake = record.HandshakeObserved && record.LatestHandshake is null,
            NeverPassed = record.Checks.Values.Any(c => !c.EverPassed),
        };
    }

    public IReadOnlyDictionary<string, SiteHealth> EvaluateAll(DateTimeOffset now) =>
        sites.Keys.ToDictionary(site => site, site => Evaluate(site, now), StringComparer.Ordinal);

    /// <summary>The next instant after <paramref name="now"/> at which a health changes without a new observation (a handshake or a check's verdict turning stale).</summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var record in sites.Values)
        {
            foreach (var counter in record.Checks.Values)
            {
                if (counter.StaleAt is { } verdictStaleAt && verdictStaleAt >= now && (next is null || verdictStaleAt < next))
                    next = verdictStaleAt + TimeSpan.FromTicks(1);
            }

            if (!record.HandshakeObserved || record.LatestHandshake is not { } latest)
                continue;
            var staleAt = latest + options.HandshakeStaleAfter;
            if (staleAt >= now && (next is null || staleAt < next))
                next = staleAt + TimeSpan.FromTicks(1);
        }

        return next;
    }

    private bool IsStale(DateTimeOffset? latestHandshake, DateTimeOffset now) =>
        latestHandshake is not { } latest || now - latest > options.HandshakeStaleAfter;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0} s";

    private sealed class SiteRecord(IReadOnlyList<CheckDefinition> checks, DateTimeOffset? since)
    {
        public Dictionary<string, CheckCounter> Checks { get; } =
            checks.ToDictionary(c => c.Name, c => new CheckCounter(c, since), StringComparer.Ordinal);

        public bool HandshakeObserved { get; set; }
        public DateTimeOffset? LatestHandshake { get; set; }
        public DateTimeOffset HandshakeFreshSince { get; set; } = DateTimeOffset.MinValue;
        public SiteAgentReport? AgentReport { get; set; }
        public string? LivenessLost { get; set; }
        public DateTimeOffset AgentHealthySince { get; set; } = DateTimeOffset.MinValue;
        public bool InMaintenance { get; set; }
        public DateTimeOffset MaintenanceEndedAt { get; set; } = DateTimeOffset.MinValue;
    }
}
