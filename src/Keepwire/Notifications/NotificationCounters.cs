using System.Collections.Concurrent;

namespace Keepwire.Notifications;

/// <summary>
/// What became of the hub's notifications since the daemon started, per receiver (by its
/// <see cref="Model.NotifyTarget.Name"/>: type and host, never the URL's path, which is often its secret) and
/// across reloads (a reload builds new receivers, these counters go on): plain monotonic counters a metrics
/// exporter can read. Receivers with the same name (two Discord webhooks) count together.
/// </summary>
public sealed class NotificationCounters
{
    private readonly ConcurrentDictionary<string, ReceiverCounters> _receivers = new(StringComparer.Ordinal);

    /// <summary>The counters of the receiver called <paramref name="receiver"/>, made at zero the first time.</summary>
    public ReceiverCounters For(string receiver) => _receivers.GetOrAdd(receiver, static _ => new ReceiverCounters());

    /// <summary>Every receiver counted since start (also ones a reload has removed), in no particular order.</summary>
    public IReadOnlyList<KeyValuePair<string, ReceiverCounters>> Receivers => [.. _receivers];

    /// <summary>Events pushed out of a full receiver queue before they were sent, over every receiver.</summary>
    public long Dropped => _receivers.Values.Sum(r => r.Dropped);

    /// <summary>Events a receiver took, over every receiver.</summary>
    public long Delivered => _receivers.Values.Sum(r => r.Delivered);

    /// <summary>Events given up after every attempt failed, over every receiver.</summary>
    public long Failed => _receivers.Values.Sum(r => r.Failed);
}
