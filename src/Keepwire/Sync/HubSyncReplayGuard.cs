namespace Keepwire.Sync;

/// <summary>
/// Admits authentic messages from the peer only once and in order. Within a boot the sequence must
/// grow (a 64-message window tells the duplicates every relay delivers from genuinely old messages);
/// a new boot is admitted when it is newer than everything seen, which is how a restarted peer is
/// recognised. Sent-at must lie within the freshness window of this hub's clock, which bounds how long
/// a relaying site could hold a message back, and requires NTP-synchronised clocks on both hubs.
/// Not thread-safe: the receive loop owns it.
/// </summary>
public sealed class HubSyncReplayGuard
{
    private const int Window = 64;

    private readonly string _peer;
    private readonly TimeSpan _freshness;
    private readonly TimeProvider _time;
    private Guid? _boot;
    private long _highest;

    /// <summary>Bit i: sequence <c>_highest - i</c> was admitted.</summary>
    private ulong _seen;
    private DateTimeOffset _newestSentAt = DateTimeOffset.MinValue;

    /// <param name="peer">The only node name admitted: our own name coming back through a relay is refused.</param>
    /// <param name="freshness">How far sent-at may be from now, either way; see <see cref="FreshnessFor"/>.</param>
    public HubSyncReplayGuard(string peer, TimeSpan freshness, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(freshness, TimeSpan.Zero);
        _peer = peer;
        _freshness = freshness;
        _time = time;
    }

    /// <summary>
    /// A window that admits every message still useful (younger than the peer timeout, with room for
    /// relay delay and clock skew) and nothing much older: twice the peer timeout, at least a second.
    /// </summary>
    public static TimeSpan FreshnessFor(TimeSpan peerTimeout) =>
        peerTimeout * 2 > TimeSpan.FromSeconds(1) ? peerTimeout * 2 : TimeSpan.FromSeconds(1);

    /// <summary>Admits <paramref name="message"/> (null) or says why not; only an admitted message moves the window.</summary>
    public HubSyncRejection? Admit(HubSyncMessage message)
    {
        if (message.Node != _peer)
            return HubSyncRejection.WrongNode;
        if ((_time.GetUtcNow() - message.SentAt).Duration() > _freshness)
            return HubSyncRejection.Stale;
        if (message.BootId != _boot)
        {
            // A boot we have not seen: the peer restarted, unless it is older than what we have (a relayed straggler).
            if (message.SentAt <= _newestSentAt)
                return HubSyncRejection.OutOfOrder;
            _boot = message.BootId;
            _highest = message.Sequence;
            _seen = 1;
        }
        else if (message.Sequence > _highest)
        {
            var shift = message.Sequence - _highest;
            _seen = shift >= Window ? 1 : (_seen << (int)shift) | 1;
            _highest = message.Sequence;
        }
        else
        {
            var age = _highest - message.Sequence;
            if (age < Window && (_seen & (1UL << (int)age)) != 0)
                return HubSyncRejection.Duplicate;
            return HubSyncRejection.OutOfOrder;
        }

        if (message.SentAt > _newestSentAt)
            _newestSentAt = message.SentAt;
        return null;
    }
}
