namespace Keepwire.Hub.Pair;

/// <summary>The pair part of <c>keepwire status</c> on a hub.</summary>
/// <param name="Role">decide or follow (or starting before the first pass).</param>
/// <param name="HoldsVips">The VIPs are on this hub's public interface.</param>
/// <param name="Yielding">This hub asked keepalived to give the VIPs up (both held them and the peer outranks it, or it is cut off).</param>
/// <param name="PeerLastHeardSecondsAgo">Since the newest admitted sync message from the peer; null if never heard.</param>
/// <param name="SyncRejected">Sync datagrams not admitted, by reason (duplicates through the relays are normal).</param>
public sealed record PairStatus(
    string Peer,
    string Role,
    string Reason,
    bool HoldsVips,
    bool Yielding,
    bool PeerAlive,
    double? PeerLastHeardSecondsAgo,
    bool? PeerHoldsVips,
    int? KeepalivedPid,
    long SyncAdmitted,
    IReadOnlyDictionary<string, long> SyncRejected)
{
    /// <summary>Why keepalived's track file could not be written (retried every pass), or null.</summary>
    public string? TrackFileError { get; init; }

    /// <summary>Why the hub sync channel is closed (retried every pass), or null.</summary>
    public string? SyncError { get; init; }

    /// <summary>With <c>vip_mover: provider</c>: what the provider hook did last and whether the provider routes the VIPs here; otherwise null.</summary>
    public ProviderHookStatus? ProviderHook { get; init; }
}
