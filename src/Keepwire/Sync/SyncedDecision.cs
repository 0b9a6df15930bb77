using Keepwire.Decisions;

namespace Keepwire.Sync;

/// <summary>
/// One service's decision as a hub tells its peer: enough for the peer to forward exactly like it
/// and, if it takes over, to continue from it (same site, same epoch, same hold-down).
/// </summary>
/// <param name="ServingSite">Null: no site serves.</param>
/// <param name="Since">When <paramref name="ServingSite"/> started serving (the sender's clock).</param>
/// <param name="Epoch">Grows with every switch; the follower never goes below it.</param>
/// <param name="Planned">The last switch was planned, so the follower lets flows to the old site finish.</param>
/// <param name="LastAutomaticSwitch">The hold-down runs from here, on the follower too once it takes over.</param>
public sealed record SyncedDecision(
    string Service,
    string? ServingSite,
    DateTimeOffset Since,
    long Epoch,
    bool Planned,
    DecisionReason Reason,
    DateTimeOffset? LastAutomaticSwitch)
{
    public static SyncedDecision From(ServiceDecision decision) =>
        new(decision.Service, decision.ServingSite, decision.Since, decision.Epoch, decision.Planned, decision.Reason, decision.LastAutomaticSwitch);
}
