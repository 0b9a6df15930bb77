namespace Keepwire.Notifications;

/// <summary>One receiver's share of <see cref="NotificationCounters"/>.</summary>
public sealed class ReceiverCounters
{
    private long _dropped;
    private long _delivered;
    private long _failed;

    /// <summary>Events pushed out of the full queue before they were sent.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events the receiver took.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events given up after every attempt failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    internal void CountDelivered() => Interlocked.Increment(ref _delivered);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
