namespace Keepwire.Decisions;

/// <summary>The health of one check, or of a site as a whole.</summary>
public enum HealthState
{
    /// <summary>Not enough results yet: neither rise successes nor fall failures in a row.</summary>
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>One check's state at one site, for status output and reasons.</summary>
/// <param name="Since">When <see cref="State"/> was last entered; null while Unknown.</param>
public sealed record CheckStatus(
    string Check,
    HealthState State,
    int ConsecutiveSuccesses,
    int ConsecutiveFailures,
    string? LastDetail,
    DateTimeOffset? LastResultAt,
    DateTimeOffset? Since)
{
    /// <summary>No result for the check's stale bound: <see cref="State"/> is its last verdict, but the site counts as unhealthy for it.</summary>
    public bool Stale { get; init; }

    /// <summary>When the first result of the current run of failures arrived (the first failed evidence); null while the last result passed.</summary>
    public DateTimeOffset? FailingSince { get; init; }
}

/// <summary>A site's health for one service, evaluated at one instant.</summary>
/// <param name="State">Unhealthy if any check or signal says so, else Unknown if any check is undecided, else Healthy.</param>
/// <param name="InMaintenance">Drained by the operator: healthy or not, it must not be chosen.</param>
/// <param name="Reason">Why, in words: "http check failed 3×: connection refused".</param>
/// <param name="EligibleSince">While eligible: since when without interruption (health and end of maintenance).</param>
public sealed record SiteHealth(
    string Site,
    HealthState State,
    bool InMaintenance,
    string Reason,
    DateTimeOffset? EligibleSince,
    IReadOnlyList<CheckStatus> Checks)
{
    /// <summary>
    /// The site's WireGuard tunnel has never completed a handshake with this hub since it was first read: its
    /// probes cannot have reached it yet, so failing ones say nothing about its service. A starting hub waits
    /// for such a site (within the startup grace) instead of counting it as down.
    /// </summary>
    public bool AwaitingHandshake { get; init; }

    /// <summary>
    /// Some check of the site has not passed once since this hub started. At a fresh start, its failures may only
    /// mean that the site is still coming up (its agent setting up the tunnel's return path, its server starting),
    /// so the first choice waits for it too, within the startup grace.
    /// </summary>
    public bool NeverPassed { get; init; }

    /// <summary>May serve: healthy and not drained.</summary>
    public bool IsEligible => State == HealthState.Healthy && !InMaintenance;
}
