namespace Keepwire.Decisions;

/// <summary>Why a service is served by the site it is served by.</summary>
public enum DecisionReason
{
    /// <summary>Waiting (within the startup grace) for results that could change the first choice.</summary>
    Starting,

    /// <summary>Continuing with the site a previous daemon (or the kernel's state) was serving.</summary>
    Restored,

    /// <summary>First choice, or first site after none: the highest-priority eligible site.</summary>
    Selected,

    /// <summary>The serving site became unhealthy: unplanned, its flows are gone anyway.</summary>
    Failover,

    /// <summary>A higher-priority site has been eligible for the preempt delay: planned.</summary>
    Preempted,

    /// <summary>The operator pinned the service to this site: planned.</summary>
    Pinned,

    /// <summary>The serving site was drained by the operator: planned.</summary>
    Drained,

    /// <summary>No site is eligible and the policy names a last-resort site: unplanned.</summary>
    LastResort,

    /// <summary>Left the last-resort site because a site is eligible again: planned.</summary>
    Recovered,

    /// <summary>The serving site is no longer one of the service's sites (config reload): planned.</summary>
    Reconfigured,
}
