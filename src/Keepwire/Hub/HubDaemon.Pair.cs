using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Hub.Pair;
using Keepwire.Sync;

namespace Keepwire.Hub;

/// <summary>
/// The hub loop's part in a hub pair: each pass learns whether this hub holds the VIPs, then either
/// decides (and tells the peer) or follows the peer's decisions, so both hubs' forwarding tables
/// always name the same serving site and a hub failover never flips a service.
/// </summary>
public sealed partial class HubDaemon
{
    /// <summary>
    /// One pass in a pair. Following means adopting the leader's decisions and intent and applying
    /// them like switches; deciding is the single-hub path. Either way the peer hears the result at
    /// once after a switch, and every advert interval otherwise.
    /// </summary>
    private async Task<IReadOnlyList<ServiceDecision>> DecideOrFollowAsync(HubPair pair, bool forceReconcile, CancellationToken cancellationToken)
    {
        var holdsVips = await ReadVipHoldingAsync(pair, cancellationToken);
        var pass = await pair.RunPassAsync(_decisions, _intent, holdsVips, cancellationToken);
        var (healthy, reason) = TrackVerdict(pass.Role);
        await pair.WriteTrackFileAsync(healthy, reason, cancellationToken);
        if (pass.AdoptedIntent is { } intent)
        {
            _intent = intent;
            _store.SaveIntent(_intent);
        }

        var changed = await ApplyAsync(pass.Switched, forceReconcile, cancellationToken);
        // ApplyAsync journals switches; an adopted or raised epoch changes the journal without one.
        if (pass.JournalChanged && changed.Count == 0)
            _journal.Save(_decisions.Records());
        await pair.SendIfDueAsync(_decisions.Synced(), _intent, holdsVips, now: changed.Count > 0, cancellationToken);
        return changed;
    }

    /// <summary>A failed read counts as "not holding": the worst it does is make this hub follow for a pass.</summary>
    private async Task<bool> ReadVipHoldingAsync(HubPair pair, CancellationToken cancellationToken)
    {
        try
        {
            return await pair.HoldsVipsAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(e);
            return false;
        }
    }

    /// <summary>keepalived (and conntrackd) running with the current config, told this hub's verdict first.</summary>
    private async Task EnsurePairDaemonsAsync(HubPair pair, CancellationToken cancellationToken)
    {
        var (healthy, reason) = TrackVerdict(pair.Role);
        await pair.EnsureKeepalivedAsync(healthy, reason, cancellationToken);
    }

    /// <summary>What the track file says: this hub may hold the VIPs unless it must yield or cannot forward. Null: no pass yet.</summary>
    private (bool Healthy, string Reason) TrackVerdict(PairRoleDecision? role) =>
        role is { Yield: true } ? (false, $"yielding: {role.Reason}")
        : _lastError is { } error ? (false, $"cannot forward: {error}")
        : (true, role is null ? "starting" : "healthy");

    /// <summary>
    /// Operator commands go to the hub that decides. A follower would apply them for one pass and then
    /// adopt the leader's intent again, so it refuses and names the hub to ask.
    /// </summary>
    private ControlResponse? RefuseWhileFollowing() =>
        _pair?.Role is { Role: PairRole.Follow, Leader: { } leader }
            ? ControlResponse.Failure($"{_hub.Name} follows {leader.Node}, which holds the VIPs and decides: run this on {leader.Node}")
            : null;
}
