namespace Keepwire.Model;

/// <summary>What a service does when none of its sites is eligible.</summary>
public abstract record NoHealthySiteBehavior
{
    private NoHealthySiteBehavior()
    {
    }

    /// <summary>Keep forwarding to the site that served last: a half-dead site beats a black hole.</summary>
    public static NoHealthySiteBehavior KeepLast { get; } = new KeepLastSite();

    /// <summary>Forward to <paramref name="site"/> (a "sorry" site, need not be one of the service's sites).</summary>
    public static NoHealthySiteBehavior LastResort(string site) => new LastResortSite(site);

    public sealed record KeepLastSite : NoHealthySiteBehavior;

    public sealed record LastResortSite(string Site) : NoHealthySiteBehavior;
}

/// <summary>
/// How one service chooses among its sites. Names follow keepalived (preempt, preempt delay) so
/// operators meet words they know.
/// </summary>
/// <param name="Preempt">
/// Return to a higher-priority site once it has been eligible for <see cref="PreemptDelay"/>.
/// False is non-revertive: stay on the current site while it is eligible.
/// </param>
/// <param name="PreemptDelay">How long a better site must stay eligible before traffic moves back to it. Damps a flapping site.</param>
/// <param name="HoldDown">
/// Minimum time between two automatic switches. The first switch after a quiet period is never delayed
/// (detection alone bounds it); only a second automatic switch within the window waits for its end,
/// so a flapping site causes at most one switch per window. Operator actions (pin, drain) are not held.
/// </param>
/// <param name="StartupGrace">
/// At startup, how long to wait for the results that could change the first choice. The choice is made
/// earlier as soon as the best site that is not known to be down is known to be healthy; on a fresh start
/// (nothing restored) a site whose checks have not passed once is not known to be down yet. Ten seconds by
/// default: in the lab under load the best site's first passing check came 5–6 s after the hub started, and
/// the wait ends as soon as it comes, so only a fresh hub whose best site is dead waits it out.
/// </param>
public sealed record FailoverPolicyOptions(
    bool Preempt,
    TimeSpan PreemptDelay,
    TimeSpan HoldDown,
    TimeSpan StartupGrace,
    NoHealthySiteBehavior NoHealthySite)
{
    public static readonly FailoverPolicyOptions Default = new(
        Preempt: true,
        PreemptDelay: TimeSpan.FromSeconds(5),
        HoldDown: TimeSpan.FromSeconds(3),
        StartupGrace: TimeSpan.FromSeconds(10),
        NoHealthySite: NoHealthySiteBehavior.KeepLast);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (PreemptDelay < TimeSpan.Zero)
            errors.Add("preempt delay must not be negative");
        if (HoldDown < TimeSpan.Zero)
            errors.Add("hold-down must not be negative");
        if (StartupGrace < TimeSpan.Zero)
            errors.Add("startup grace must not be negative");
        if (NoHealthySite is NoHealthySiteBehavior.LastResortSite { Site: var site } && string.IsNullOrWhiteSpace(site))
            errors.Add("last-resort site needs a name");
        return errors;
    }
}
