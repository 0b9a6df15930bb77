using Keepwire.Security;

namespace Keepwire.Sync;

/// <summary>
/// Admits authentic messages from the peer only once and in order (<see cref="ReplayWindow"/>): within a
/// boot the sequence must grow, telling the duplicates every relay delivers from genuinely old messages; a
/// new boot is admitted when it is newer than everything seen, which is how a restarted peer is recognised.
/// Sent-at must lie within the freshness window of this hub's clock, which bounds how long a relaying site
/// could hold a message back, and requires NTP-synchronised clocks on both hubs.
/// Not thread-safe: the receive loop owns it.
/// </summary>
public sealed class HubSyncReplayGuard
{
    private readonly string _peer;
    private readonly ReplayWindow _window;

    /// <param name="peer">The only node name admitted: our own name coming back through a relay is refused.</param>
    /// <param name="freshness">How far sent-at may be from now, either way; see <see cref="FreshnessFor"/>.</param>
    public HubSyncReplayGuard(string peer, TimeSpan freshness, TimeProvider time)
    {
        _peer = peer;
        _window = new ReplayWindow(freshness, time);
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
        return _window.Admit(message.BootId, message.Sequence, message.SentAt) switch
        {
            ReplayVerdict.Admitted => null,
            ReplayVerdict.Stale => HubSyncRejection.Stale,
            ReplayVerdict.Duplicate => HubSyncRejection.Duplicate,
            _ => HubSyncRejection.OutOfOrder,
        };
    }
}
