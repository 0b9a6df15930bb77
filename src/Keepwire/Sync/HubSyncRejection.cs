namespace Keepwire.Sync;

/// <summary>Why a hub sync datagram was not accepted; counted per reason, never logged with its content.</summary>
public enum HubSyncRejection
{
    /// <summary>Larger than <see cref="HubSyncCodec.MaxDatagramBytes"/>: dropped unread.</summary>
    Oversize,

    /// <summary>Not a hub sync datagram of this version (wrong magic, version, or too short).</summary>
    BadHeader,

    /// <summary>The HMAC does not match: altered, forged, or the two hubs disagree on their keys.</summary>
    BadTag,

    /// <summary>Authentic but not a well-formed message (cannot happen between hubs of one version).</summary>
    Malformed,

    /// <summary>Authentic but not from the peer: our own message reflected back by a relay.</summary>
    WrongNode,

    /// <summary>Sent-at outside the freshness window: held back by a relay, or the hubs' clocks disagree.</summary>
    Stale,

    /// <summary>This (boot, sequence) was accepted already: the normal fate of the copies relayed by sites.</summary>
    Duplicate,

    /// <summary>Older than the newest accepted message (an earlier sequence or boot): following it would go back in time.</summary>
    OutOfOrder,
}
