using Keepwire.Decisions;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Sync;

namespace Keepwire.Engine;

/// <summary>
/// A hub's part in a pair: every step learns whether this hub holds the VIPs, takes its role from what it
/// heard of the peer (<see cref="PeerHubView"/>), then follows the leader's decisions and intent or decides
/// itself, so both hubs' forwarding tables name the same serving site and a hub failover never flips a
/// service. The pair simulation runs exactly this.
/// </summary>
public sealed partial class HubEngine
{
    private PairState? _pair;

    /// <summary>
    /// After the VIPs leave, the flows towards them are cleared at once and swept again this long after. The likely source
    /// of entries made after the first clearing (not proven: the soak did not capture them): a client whose
    /// router still had this hub's address for the VIPs (until keepalived's gratuitous ARP or unsolicited neighbour
    /// advertisement reached it) kept sending here for a moment, and each such packet made a new entry (conntrack picks
    /// up a TCP flow mid-stream) that nothing else would remove: the chaos soak found 4 established ones on the
    /// standby long after the load stopped. Deleting an entry of a flow that still passes here costs it nothing: its
    /// next packet is picked up again and forwarded by the same map.
    /// </summary>
    private static readonly TimeSpan[] VipFlowSweeps = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    /// <summary>The role of the last step in a pair; null for a single hub, or before the first step.</summary>
    public PairRoleDecision? Role => _pair?.Role;

    /// <summary>The peer hub's view, for status; null for a single hub.</summary>
    public PeerHubView? PeerView => _pair?.View;

    /// <summary>What the track file says before the first step, or when only <paramref name="dataPathFault"/> changed.</summary>
    public TrackVerdict TrackVerdict(string? dataPathFault) => Verdict(_pair?.Role, dataPathFault);

    /// <summary>
    /// Follow the leader, or decide (after taking a live peer's newer intent); raise this hub's epochs above a live peer's while holding the VIPs; tell
    /// keepalived the verdict; say whether a message is due; and, once the VIPs have gone, clear the flows
    /// towards them (at once, and swept again twice: <see cref="VipFlowSweeps"/>).
    /// </summary>
    private (IReadOnlyList<ServiceDecision> Switched, bool JournalChanged, PairStep Pair) StepInPair(PairState pair, HubEvidence evidence, List<FlowFlush> flushes)
    {
        var now = _time.GetUtcNow();
        // A failed read is no news: it keeps what the last read said. Counting it as "not holding" would reset when this
        // hub took the VIPs and flip its heartbeat's claim for a pass, and the peer would act on both.
        var holdsVips = evidence.Vips is { } read ? read.All : pair.HeldVipsAtLastRead;
        pair.HeldVipsAtLastRead = holdsVips;
        if (evidence.Vips is { } vips)
        {
            if (vips.Any)
            {
                pair.VipsReleasedAt = null;
            }
            else if (pair.VipsReleasedAt is null)
            {
                // Only after a read that shows no VIP at all: a failed read never cuts live flows.
                pair.VipsReleasedAt = now;
                pair.VipFlowSweepsDone = 0;
                flushes.Add(new FlowFlush.VipsReleased(Config.AllVips()));
            }
            else if (pair.VipsReleasedAt is { } released && pair.VipFlowSweepsDone < VipFlowSweeps.Length
                && now >= released + VipFlowSweeps[pair.VipFlowSweepsDone])
            {
                // The heartbeat wakes the loop every advert_interval, so a sweep is at most that late.
                pair.VipFlowSweepsDone++;
                flushes.Add(new FlowFlush.VipsReleased(Config.AllVips()));
            }
        }

        var role = pair.View.Evaluate(holdsVips, _decisions.AnySiteReachable());
        pair.Role = role;
        IReadOnlyList<ServiceDecision> switched;
        bool journalChanged;
        IReadOnlyList<string> mismatched = [];
        if (role.Role == PairRole.Follow)
        {
            var leader = role.Leader!;
            AdoptIntent(leader.Intent, peerLeads: true);
            var adoption = _decisions.Adopt(leader);
            (switched, journalChanged, mismatched) = (adoption.Switched, adoption.DecisionsChanged, adoption.Mismatched);
        }
        else
        {
            if (pair.View.LivePeer is { } peerHeard)
                AdoptIntent(peerHeard.Intent, peerLeads: false);
            switched = evidence.RefreshDataPlane ? _decisions.DecideAll() : _decisions.DecideDue();
            var raised = holdsVips && pair.View.LivePeer is { } peer && _decisions.RaiseEpochsAbove(peer);
            journalChanged = switched.Count > 0 || raised;
        }

        SyncDraft? send = null;
        if (switched.Count > 0 || now >= pair.NextHeartbeat)
        {
            send = new SyncDraft(holdsVips, _decisions.Synced(), _intent);
            pair.NextHeartbeat = now + pair.Settings.AdvertInterval;
        }

        return (switched, journalChanged, new PairStep(role, holdsVips, Verdict(role, evidence.DataPathFault), send, mismatched));
    }

    /// <summary>
    /// Operator commands go to the hub that decides. A follower's would reach the decisions only through the
    /// leader, a heartbeat later, so it refuses and names the hub to ask.
    /// </summary>
    private string? RefuseWhileFollowing() =>
        _pair?.Role is { Role: PairRole.Follow, Leader: { } leader }
            ? $"{Hub.Name} follows {leader.Node}, which holds the VIPs and decides: run this on {leader.Node}"
            : null;

    /// <summary>This hub may hold the VIPs unless it must yield or cannot forward. No role yet: starting.</summary>
    private static TrackVerdict Verdict(PairRoleDecision? role, string? dataPathFault) =>
        role is { Yield: true } ? new(false, $"yielding: {role.Reason}")
        : dataPathFault is { } fault ? new(false, $"cannot forward: {fault}")
        : new(true, role is null ? "starting" : "healthy");

    /// <summary>What the engine keeps of a pair between steps.</summary>
    private sealed class PairState(HubPairSettings settings, PeerHubView view, DateTimeOffset firstHeartbeat)
    {
        public HubPairSettings Settings { get; } = settings;

        public PeerHubView View { get; } = view;

        public PairRoleDecision? Role { get; set; }

        /// <summary>A heartbeat is due at this time (the first one at once).</summary>
        public DateTimeOffset NextHeartbeat { get; set; } = firstHeartbeat;

        /// <summary>
        /// When a read first found no VIP here since this hub last held any (the flows towards them were cleared then);
        /// null while it holds some, or before the first such read.
        /// </summary>
        public DateTimeOffset? VipsReleasedAt { get; set; }

        /// <summary>How many of <see cref="VipFlowSweeps"/> ran since <see cref="VipsReleasedAt"/>.</summary>
        public int VipFlowSweepsDone { get; set; }

        /// <summary>Whether the last VIP read that succeeded found all of them here.</summary>
        public bool HeldVipsAtLastRead { get; set; }

        public DateTimeOffset? NextWakeUp() => Role?.RecheckAt is { } recheck && recheck < NextHeartbeat ? recheck : NextHeartbeat;

        /// <summary>The pair state of a hub in <paramref name="config"/>, or null for a single hub.</summary>
        public static PairState? For(ClusterConfig config, HubNode hub, TimeProvider time) =>
            config.HubPair is { } settings && config.PeerOf(hub) is { } peer
                ? new PairState(settings, NewView(hub, peer, settings, time), time.GetUtcNow())
                : null;

        /// <summary>
        /// After a reload: what this hub heard of the peer carries over when the peer, the priorities and the timeout
        /// are the same (so a reload does not make this hub decide alone for a heartbeat); a heartbeat is due at once.
        /// </summary>
        public static PairState? Reconfigure(PairState? old, ClusterConfig config, HubNode hub, TimeProvider time)
        {
            if (config.HubPair is not { } settings || config.PeerOf(hub) is not { } peer)
                return null;
            var view = old is not null && old.View.Matches(hub.Name, hub.VrrpPriority, peer.Name, peer.VrrpPriority, settings.PeerTimeout)
                ? old.View
                : NewView(hub, peer, settings, time);
            return new PairState(settings, view, time.GetUtcNow()) { Role = old?.Role, VipsReleasedAt = old?.VipsReleasedAt, VipFlowSweepsDone = old?.VipFlowSweepsDone ?? 0, HeldVipsAtLastRead = old?.HeldVipsAtLastRead ?? false };
        }

        private static PeerHubView NewView(HubNode hub, HubNode peer, HubPairSettings settings, TimeProvider time) =>
            new(hub.Name, hub.VrrpPriority, peer.Name, peer.VrrpPriority, settings.PeerTimeout, time);
    }
}
