namespace Keepwire.Sync;

/// <summary>
/// What this hub knows of its peer, and the role that follows from it (pure: messages and the VIP
/// state in, time from the <see cref="TimeProvider"/>). The rules:
/// <list type="bullet">
/// <item>I hold the VIPs and the peer is silent (nothing for peer_timeout) or does not claim them → I decide.</item>
/// <item>I do not hold them and the live peer claims them → I follow it (adopt its decisions and intent). Only a claim that
///   arrived after I last held the VIPs: an older one may carry older decisions than mine. When I hear it only through
///   the sites (a partition between the hubs), I also stay out of VRRP, which cannot hear its adverts either.</item>
/// <item>Both hold them (a partition between the hubs, or a VRRP transition) → the higher vrrp_priority keeps deciding; the
///   other follows and yields (keepalived gives the VIPs up) until the peer has been silent for 3 × peer_timeout, says it
///   let go of them, or is heard directly again (then VRRP adverts pass too, and keepalived settles it without us). Only a claim that arrived after I
///   took the VIPs counts: a dead peer's last words must not make its successor give them up.</item>
/// <item>I do not hold them and the peer does not claim them either (silent, starting, or between two VRRP masters) → I
///   decide locally, continuing from what I last followed: nobody reaches me, but my maps stay right for a takeover.
///   Following a peer that does not hold the VIPs either would only copy decisions no client sees, perhaps made blind
///   by a daemon that has just started; whoever takes the VIPs next is followed by the other.</item>
/// <item>The peer is silent and no site is reachable from here either → I am cut off: I yield, so that I come back as
///   backup when the link returns (nopreempt keeps the VIPs where they went) instead of taking them back with decisions
///   made blind.</item>
/// </list>
/// Not thread-safe: the hub loop owns it.
/// </summary>
public sealed class PeerHubView
{
    private readonly string _self;
    private readonly string _peer;
    private readonly int _selfPriority;
    private readonly int _peerPriority;
    private readonly bool _peerOutranks;
    private readonly TimeSpan _peerTimeout;
    private readonly TimeProvider _time;
    private DateTimeOffset? _lastDirectAt;
    private bool _yielding;

    /// <summary>How much longer than peer_timeout a yield outlasts the peer's silence (see <see cref="Evaluate"/>).</summary>
    private TimeSpan YieldHold => 2 * _peerTimeout;

    /// <summary>The last pass at which this hub held the VIPs: a peer claim older than that is stale.</summary>
    private DateTimeOffset? _heldAt;

    /// <param name="peerTimeout">hub_pair.peer_timeout: a peer not heard from for this long is gone.</param>
    public PeerHubView(string self, int selfPriority, string peer, int peerPriority, TimeSpan peerTimeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(peerTimeout, TimeSpan.Zero);
        _self = self;
        _peer = peer;
        (_selfPriority, _peerPriority) = (selfPriority, peerPriority);
        // Priorities must differ (config checks it); the name only keeps a broken config deterministic.
        _peerOutranks = peerPriority != selfPriority ? peerPriority > selfPriority : string.CompareOrdinal(peer, self) < 0;
        _peerTimeout = peerTimeout;
        _time = time;
    }

    /// <summary>The newest message from the peer, however old.</summary>
    public ReceivedSyncMessage? Latest { get; private set; }

    /// <summary>Since when this hub holds the VIPs, as the loop saw it; null while it does not.</summary>
    public DateTimeOffset? ActiveSince { get; private set; }

    /// <summary>The peer was heard from within peer_timeout.</summary>
    public bool IsPeerAlive => Latest is { } latest && _time.GetUtcNow() < SilentFrom(latest);

    /// <summary>The latest message while the peer is alive; null when it is silent.</summary>
    public HubSyncMessage? LivePeer => IsPeerAlive ? Latest!.Message : null;

    /// <summary>Whether this view is one for these hubs, priorities and timeout: a reload that changed none of them keeps it.</summary>
    public bool Matches(string self, int selfPriority, string peer, int peerPriority, TimeSpan peerTimeout) =>
        (self, selfPriority, peer, peerPriority, peerTimeout) == (_self, _selfPriority, _peer, _peerPriority, _peerTimeout);

    /// <summary>Takes a newer message from the peer; ignores anything else (another node, a duplicate, an older one).</summary>
    /// <returns>Whether it was newer.</returns>
    public bool Observe(ReceivedSyncMessage received)
    {
        var message = received.Message;
        if (message.Node != _peer)
            return false;
        if (received.Direct && (_lastDirectAt is null || received.ReceivedAt > _lastDirectAt))
            _lastDirectAt = received.ReceivedAt;
        if (Latest is { Message: var latest } && !IsNewer(message, latest))
            return false;
        Latest = received;
        return true;
    }

    /// <summary>The role for this pass.</summary>
    /// <param name="holdsVips">The VIPs are on my public interface now.</param>
    /// <param name="anySiteReachable">False when every site is known to be down from here (every check failing): with a silent peer, that means this hub is cut off.</param>
    public PairRoleDecision Evaluate(bool holdsVips, bool anySiteReachable = true)
    {
        var now = _time.GetUtcNow();
        if (!holdsVips)
        {
            ActiveSince = null;
        }
        else
        {
            ActiveSince ??= now;
            _heldAt = now;
        }

        var alive = Latest is { } latest && now < SilentFrom(latest);
        var peer = alive ? Latest!.Message : null;
        var directHeard = _lastDirectAt is { } direct && now < direct + _peerTimeout;
        // A yield ends when the pair link works again (VRRP settles it), when the peer says it let go of the VIPs, or when
        // it has been silent for YieldHold beyond peer_timeout. Not at peer_timeout: a stalled loop or relays a second late
        // would end it, and keepalived, deaf to the peer across the partition, would take the VIPs from a hub that still
        // holds them. Only a peer really gone hands them over, a couple of seconds later in this double fault.
        var claimHeardUntil = Latest is { Message.HoldsVips: true } claim && !directHeard ? SilentFrom(claim) + YieldHold : (DateTimeOffset?)null;
        if (claimHeardUntil is not { } until || now >= until)
        {
            _yielding = false;
            // Past: nothing changes at that time any more. As a recheck it would wake the hub's loop at once, every
            // pass, for as long as the peer stays silent (a hub whose active peer died spun a core at 1 GB/s of garbage).
            claimHeardUntil = null;
        }
        var recheckAt = Earliest(Earliest(alive ? SilentFrom(Latest!) : null, directHeard ? _lastDirectAt + _peerTimeout : null), claimHeardUntil);

        if (holdsVips)
        {
            if (peer is { HoldsVips: true } && Latest!.ReceivedAt >= ActiveSince)
            {
                if (!_peerOutranks)
                {
                    _yielding = false;
                    return new(PairRole.Decide, null, false, $"both hubs hold the VIPs; {_self} outranks {_peer} and keeps deciding", recheckAt);
                }

                _yielding = !directHeard;
                var how = _yielding ? "follows it and gives the VIPs up" : "follows it (VRRP settles the rest: the pair link works)";
                return new(PairRole.Follow, peer, _yielding, $"both hubs hold the VIPs; {_peer} outranks {_self}, which {how}", recheckAt);
            }

            return peer is null
                ? Alone($"active; {_peer} is silent", anySiteReachable, recheckAt)
                : new(PairRole.Decide, null, _yielding, peer.HoldsVips ? $"active; {_peer}'s last claim to the VIPs predates mine (it is gone, or lost them)" : $"active; {_peer} does not hold the VIPs", recheckAt);
        }

        // A live peer holds the VIPs and is heard only through the sites: its VRRP adverts do not reach this hub either, so
        // keepalived here would take the VIPs too and both hubs would hold them. Stay out until the peer is heard directly,
        // falls silent or lets go, whatever the ranks (nopreempt: the holder keeps them). Level-triggered on purpose: a pass
        // that saw the peer silent for a moment (a stalled loop, a late relay) is corrected by the next one, before
        // keepalived's master-down timer runs out, instead of ending in a takeover.
        if (peer is { HoldsVips: true } && !directHeard)
            _yielding = true;

        if (peer is { HoldsVips: true } && Latest!.ReceivedAt < _heldAt)
        {
            // I have just lost the VIPs: the peer's claim predates my time with them, so its state may be older than mine.
            return new(PairRole.Decide, null, _yielding, $"standby; {_peer}'s last claim to the VIPs predates mine, deciding locally until it sends a fresh one", recheckAt);
        }

        if (peer is { HoldsVips: true })
            return new(PairRole.Follow, peer, _yielding, _yielding ? $"{_peer} is active and heard only through the sites; {_self} stays out of VRRP until {_peer} is silent or heard directly" : $"standby; following active {_peer}", recheckAt);
        if (peer is not null)
            return new(PairRole.Decide, null, false, $"standby; {_peer} does not hold the VIPs either, deciding locally", recheckAt);

        return Alone($"standby; {_peer} is silent, deciding locally", anySiteReachable, recheckAt);
    }

    private PairRoleDecision Alone(string reason, bool anySiteReachable, DateTimeOffset? recheckAt) =>
        !anySiteReachable ? new(PairRole.Decide, null, true, $"{reason}, and no site is reachable: cut off, giving the VIPs up", recheckAt)
        : _yielding ? new(PairRole.Decide, null, true, $"{reason}; still out of VRRP until it has been silent for {(_peerTimeout + YieldHold).TotalSeconds:0.#} s (it held the VIPs)", recheckAt)
        : new(PairRole.Decide, null, false, reason, recheckAt);

    /// <summary>
    /// When the peer counts as gone: peer_timeout after the message, by the earlier of its sent-at and
    /// its arrival, so a message a relay held back does not keep a dead peer alive for longer.
    /// </summary>
    private DateTimeOffset SilentFrom(ReceivedSyncMessage received) =>
        (received.Message.SentAt < received.ReceivedAt ? received.Message.SentAt : received.ReceivedAt) + _peerTimeout;

    private static bool IsNewer(HubSyncMessage candidate, HubSyncMessage latest) =>
        candidate.BootId == latest.BootId ? candidate.Sequence > latest.Sequence : candidate.SentAt > latest.SentAt;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
