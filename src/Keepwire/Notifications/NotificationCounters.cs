namespace Keepwire.Notifications;

/// <summary>
/// What became of the hub's notifications since the daemon started, over every receiver and across reloads
/// (a reload builds new receivers, these counters go on): plain monotonic counters a metrics exporter can read.
/// </summary>
public sealed class NotificationCounters
{
    private long _dropped;
    private long _delivered;
    private long _failed;

    /// <summary>Events pushed out of a full receiver queue before they were sent.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events a receiver took.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events given up after every attempt failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    internal void CountDelivered() => Interlocked.Increment(ref _delivered);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
