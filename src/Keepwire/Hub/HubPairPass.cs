using Keepwire.Decisions;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Hub;

/// <summary>What one pair pass did, for the hub loop to apply, persist and tell.</summary>
/// <param name="Role">The role taken; <see cref="PairRoleDecision.Yield"/> goes into keepalived's track file.</param>
/// <param name="Switched">Decisions whose serving site changed (own switches or adopted ones): apply them, flushing the old site's flows when unplanned.</param>
/// <param name="JournalChanged">Save the decision journal (an adopted or raised epoch changes it without a switch).</param>
/// <param name="AdoptedIntent">The leader's pins and drains, when they differ from this hub's: save them as this hub's intent. Null otherwise.</param>
/// <param name="Mismatched">Services the leader decides that this hub cannot follow: the two hubs' configs differ (worth a warning).</param>
public sealed record HubPairPassResult(
    PairRoleDecision Role,
    IReadOnlyList<ServiceDecision> Switched,
    bool JournalChanged,
    OperatorIntent? AdoptedIntent,
    IReadOnlyList<string> Mismatched);

/// <summary>
/// The decision step of the hub loop in a pair, in place of <see cref="ServiceDecisions.DecideAll"/>:
/// take the role from the peer view, then follow the leader or decide. Deciding with the VIPs also
/// keeps this hub's epochs above a live peer's. The pair simulation runs exactly this, so the daemon
/// and the simulated hubs cannot drift apart.
/// </summary>
public static class HubPairPass
{
    /// <param name="holdsVips">The VIPs are on this hub's public interface now (read each pass, level-triggered).</param>
    /// <param name="intent">This hub's current operator intent.</param>
    public static HubPairPassResult Run(PeerHubView view, ServiceDecisions decisions, OperatorIntent intent, bool holdsVips)
    {
        var role = view.Evaluate(holdsVips, decisions.AnySiteReachable());
        if (role.Role == PairRole.Follow)
        {
            var leader = role.Leader!;
            var adoption = decisions.Adopt(leader, intent);
            return new HubPairPassResult(role, adoption.Switched, adoption.DecisionsChanged, adoption.IntentChanged ? leader.Intent : null, adoption.Mismatched);
        }

        var switched = decisions.DecideAll();
        var raised = holdsVips && view.LivePeer is { } peer && decisions.RaiseEpochsAbove(peer);
        return new HubPairPassResult(role, switched, switched.Count > 0 || raised, null, []);
    }
}
