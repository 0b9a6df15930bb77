using Keepwire.Notifications;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// The notifications' fate per receiver: dropped from a full queue, delivered, given up. Read from
/// <see cref="NotificationCounters"/> when Prometheus scrapes, so the notifier's workers keep plain counters and
/// know nothing of prometheus-net (which a hub without <c>metrics:</c> never loads). The receiver label is the
/// receiver's name (type and host: <c>webhook https://hooks.example.net</c>), bounded by the config's at most 16
/// receivers; the URL's path is left out, as in the logs, because it is often the webhook's secret.
/// </summary>
internal sealed class NotificationMetrics
{
    private readonly NotificationCounters _counters;
    private readonly Counter _dropped;
    private readonly Counter _delivered;
    private readonly Counter _failed;

    public NotificationMetrics(IMetricFactory factory, CollectorRegistry registry, NotificationCounters counters)
    {
        _counters = counters;
        _dropped = factory.CreateCounter(MetricNames.NotificationsDropped, "Notifications pushed out of the receiver's full queue (64 events) before they were sent: the receiver is slower than the events.", ["receiver"]);
        _delivered = factory.CreateCounter(MetricNames.NotificationsDelivered, "Notifications the receiver took (HTTP 2xx, or exit code 0 of an exec receiver).", ["receiver"]);
        _failed = factory.CreateCounter(MetricNames.NotificationsFailed, "Notifications given up after the first attempt and every retry failed.", ["receiver"]);
        registry.AddBeforeCollectCallback(Update);
    }

    private void Update()
    {
        foreach (var (receiver, counts) in _counters.Receivers)
        {
            _dropped.WithLabels(receiver).IncTo(counts.Dropped);
            _delivered.WithLabels(receiver).IncTo(counts.Delivered);
            _failed.WithLabels(receiver).IncTo(counts.Failed);
        }
    }
}
