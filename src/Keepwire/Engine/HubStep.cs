using Keepwire.Decisions;
using Keepwire.Reconciliation;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Engine;

/// <summary>
/// What one <see cref="HubEngine.Step"/> decided, for the daemon to carry out in this order: make the
/// kernel's forwarding table match <see cref="DataPlane"/> in one transaction, then delete
/// <see cref="Flushes"/>; save <see cref="Journal"/> and <see cref="Intent"/>; in a pair, write the
/// track file and send the message. Nothing in a step has happened yet.
/// </summary>
/// <param name="At">The engine's clock when it decided.</param>
/// <param name="Switched">Services whose serving site changed in this step (own switches or, in a pair, adopted ones), with their reasons.</param>
/// <param name="DataPlane">The forwarding table the kernel must hold; null when nothing changed it and no refresh was asked for.</param>
/// <param name="Flushes">Conntrack entries to delete once <see cref="DataPlane"/> is applied: the unplanned switches' flows to the sites they left, and the flows towards VIPs this hub no longer holds.</param>
/// <param name="Journal">Every service's decision, when it must be saved (a switch, an adopted or raised epoch); null otherwise.</param>
/// <param name="Intent">The operator's pins and drains, when they changed (a command, or the leading hub's); null otherwise.</param>
/// <param name="Pair">This hub's part in a pair; null for a single hub.</param>
/// <param name="Answers">One per command of the evidence, in order.</param>
/// <param name="NextWakeUp">Step again at this time even without new evidence: a decision or the pair role may change then.</param>
public sealed record HubStep(
    DateTimeOffset At,
    IReadOnlyList<ServiceDecision> Switched,
    HubDataPlane? DataPlane,
    IReadOnlyList<FlowFlush> Flushes,
    IReadOnlyList<DecisionRecord>? Journal,
    OperatorIntent? Intent,
    PairStep? Pair,
    IReadOnlyList<CommandOutcome> Answers,
    DateTimeOffset? NextWakeUp)
{
    /// <summary>What the engine did not count in this step's evidence, and why (a hub stall, every site failing at once).</summary>
    public IReadOnlyList<HubNote> Notes { get; init; } = [];

    /// <summary>
    /// Sites whose probes must start now and go on at the fast pace: a refusal made them suspect (their next failing
    /// probe decides), or their liveness was lost (their checks must pass <c>rise</c> times to bring them back).
    /// </summary>
    public IReadOnlyList<string> ProbeNow { get; init; } = [];
}

/// <summary>A pair hub's part of a step.</summary>
/// <param name="Role">Decide or follow, and why; <see cref="PairRoleDecision.Yield"/> is in <see cref="Track"/> already.</param>
/// <param name="HoldsVips">The VIPs are all on this hub's public interface (conntrackd's role follows it).</param>
/// <param name="Track">What keepalived's track file must say now.</param>
/// <param name="Send">The message for the peer (and the relaying sites), when one is due: a heartbeat, or at once after a switch.</param>
/// <param name="Mismatched">Services the leading hub decides that this hub cannot follow: the two hubs' configs differ.</param>
public sealed record PairStep(
    PairRoleDecision Role,
    bool HoldsVips,
    TrackVerdict Track,
    SyncDraft? Send,
    IReadOnlyList<string> Mismatched);

/// <summary>keepalived's track file: healthy, this hub may hold the VIPs; or not, and why (it then gives them up at once).</summary>
public sealed record TrackVerdict(bool Healthy, string Reason);

/// <summary>A sync message before the daemon stamps it (node, boot id, sequence, time) and signs it.</summary>
public sealed record SyncDraft(bool HoldsVips, IReadOnlyList<SyncedDecision> Services, OperatorIntent Intent);
