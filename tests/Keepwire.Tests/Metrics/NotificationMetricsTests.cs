using Keepwire.Metrics;
using Keepwire.Model;
using Keepwire.Notifications;
using Keepwire.Tests.Notifications;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Metrics;

/// <summary>The notifier's counters as the hub's metrics export them: per receiver, named without the URL's path.</summary>
public sealed class NotificationMetricsTests
{
    [Fact]
    public async Task A_configured_receiver_shows_at_zero_before_its_first_event()
    {
        var counters = new NotificationCounters();
        var metrics = new HubMetrics(counters);
        await using var notifier = Notifier.Create([NotificationPayloadsTests.Target(NotifyKind.Webhook)], new NeverCalled(), counters, new FakeTimeProvider(), NullLogger.Instance);

        var text = await ScrapeAsync(metrics);

        Assert.Contains("keepwire_notifications_dropped_total{receiver=\"webhook https://receiver.example\"} 0", text);
        Assert.Contains("keepwire_notifications_delivered_total{receiver=\"webhook https://receiver.example\"} 0", text);
        Assert.Contains("keepwire_notifications_failed_total{receiver=\"webhook https://receiver.example\"} 0", text);
        Assert.DoesNotContain("SECRETPATH", text);
    }

    [Fact]
    public async Task Each_receiver_has_its_own_dropped_delivered_and_failed_counts_and_promtool_accepts_them()
    {
        var counters = new NotificationCounters();
        var metrics = new HubMetrics(counters);
        var slow = counters.For("webhook http://127.0.0.1:9613");
        var page = counters.For("exec /usr/local/bin/page-me");
        for (var i = 0; i < 3; i++)
            slow.CountDropped();
        slow.CountDelivered();
        page.CountDelivered();
        page.CountDelivered();
        page.CountFailed();

        var text = await ScrapeAsync(metrics);

        Assert.Contains("keepwire_notifications_dropped_total{receiver=\"webhook http://127.0.0.1:9613\"} 3", text);
        Assert.Contains("keepwire_notifications_delivered_total{receiver=\"webhook http://127.0.0.1:9613\"} 1", text);
        Assert.Contains("keepwire_notifications_failed_total{receiver=\"webhook http://127.0.0.1:9613\"} 0", text);
        Assert.Contains("keepwire_notifications_dropped_total{receiver=\"exec /usr/local/bin/page-me\"} 0", text);
        Assert.Contains("keepwire_notifications_delivered_total{receiver=\"exec /usr/local/bin/page-me\"} 2", text);
        Assert.Contains("keepwire_notifications_failed_total{receiver=\"exec /usr/local/bin/page-me\"} 1", text);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- scrape:\n{text}");
    }

    [Fact]
    public async Task Counts_go_on_from_where_they_were_at_the_next_scrape()
    {
        var counters = new NotificationCounters();
        var metrics = new HubMetrics(counters);
        var receiver = counters.For("ntfy https://ntfy.sh");
        receiver.CountDropped();
        Assert.Contains("keepwire_notifications_dropped_total{receiver=\"ntfy https://ntfy.sh\"} 1", await ScrapeAsync(metrics));

        receiver.CountDropped();
        receiver.CountDropped();

        Assert.Contains("keepwire_notifications_dropped_total{receiver=\"ntfy https://ntfy.sh\"} 3", await ScrapeAsync(metrics));
    }

    private static async Task<string> ScrapeAsync(HubMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    /// <summary>A transport for a test that sends nothing.</summary>
    private sealed class NeverCalled : INotificationTransport
    {
        public Task PostAsync(NotificationRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing was published");

        public Task RunAsync(NotificationCommand command, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing was published");
    }
}
