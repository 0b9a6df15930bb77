namespace Keepwire.Sync;

/// <summary>What this hub does with its decisions in a pair.</summary>
public enum PairRole
{
    /// <summary>Decide every service from this hub's own probes (active hub, or nobody to follow).</summary>
    Decide,

    /// <summary>Adopt the peer's decisions and intent as they come; decide nothing.</summary>
    Follow,
}

/// <summary>The role for this loop pass, and whether keepalived should give the VIPs up.</summary>
/// <param name="Leader">With <see cref="PairRole.Follow"/>: the peer message to adopt. Null otherwise.</param>
/// <param name="Yield">Ask keepalived to leave the VIPs (track file non-zero → FAULT): both hubs hold them and the peer outranks this one.</param>
/// <param name="Reason">Why, in words, for status and the log.</param>
/// <param name="RecheckAt">The answer may change at this time without a new message (the peer going silent).</param>
public sealed record PairRoleDecision(PairRole Role, HubSyncMessage? Leader, bool Yield, string Reason, DateTimeOffset? RecheckAt);
