namespace Keepwire.Decisions;

/// <summary>
/// Which site serves a service now, and why. The reconciler acts on a change of
/// <see cref="ServingSite"/>: when <see cref="Planned"/> is false it deletes the conntrack
/// entries towards <see cref="PreviousSite"/> so retransmitted SYNs reach the new site; when
/// true it leaves existing flows to finish where they are.
/// </summary>
/// <param name="ServingSite">Null: no site serves (nothing chosen yet, or nothing to choose).</param>
/// <param name="Reason">Why the serving site was chosen.</param>
/// <param name="Detail">The same, in words: "a: http check failed 2×: connection refused; b is the highest-priority eligible site".</param>
/// <param name="Since">When <see cref="ServingSite"/> started serving.</param>
/// <param name="Epoch">Increases by one on every switch; a fencing token for hub pairs.</param>
/// <param name="PreviousSite">The site served before the last switch.</param>
/// <param name="Planned">The last switch was planned (old site healthy: let its flows finish) rather than a failure.</param>
/// <param name="Automatic">The last switch was the policy's own (subject to hold-down), not an operator action.</param>
/// <param name="Note">What the policy waits for or works around right now, in words: a held-down switch, a coming preemption, the startup grace, no eligible site. Null when nothing.</param>
/// <param name="RecheckAt">Call Decide again at this time even without new observations: something may change then.</param>
public sealed record ServiceDecision(
    string Service,
    string? ServingSite,
    DecisionReason Reason,
    string Detail,
    DateTimeOffset Since,
    long Epoch,
    string? PreviousSite,
    bool Planned,
    bool Automatic,
    string? Note,
    DateTimeOffset? RecheckAt);
