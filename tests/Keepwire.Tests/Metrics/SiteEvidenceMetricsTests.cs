using System.Net;
using Keepwire.Engine;
using Keepwire.Health.Liveness;
using Keepwire.Metrics;
using Keepwire.Model;
using Keepwire.Notifications;
using Keepwire.Tests.Engine;

namespace Keepwire.Tests.Metrics;

/// <summary>The evidence about each site beyond its checks, as the hub's metrics export it: its liveness stream and its refusals.</summary>
public sealed class SiteEvidenceMetricsTests
{
    [Fact]
    public async Task Each_sites_liveness_shows_up_or_not_its_round_trip_and_its_loss_and_promtool_accepts_them()
    {
        var harness = new EngineHarness();
        var metrics = new HubMetrics(new NotificationCounters());
        IReadOnlyList<LivenessStatus> liveness =
        [
            new("a", "up", TimeSpan.FromMilliseconds(0.5), TimeSpan.FromMilliseconds(0.4), 200, 198, 2, 0, 0, harness.Now),
            new("b", "lost", TimeSpan.FromMilliseconds(3), null, 100, 50, 50, 0, 0, harness.Now),
            new("c", "waiting", null, null, 40, 0, 0, 0, 0, null),
        ];

        metrics.Refresh(harness.Engine(), () => liveness, harness.Now);
        var text = await ScrapeAsync(metrics);

        Assert.Contains("keepwire_site_liveness_up{site=\"a\"} 1", text);
        Assert.Contains("keepwire_site_liveness_up{site=\"b\"} 0", text);
        Assert.Contains("keepwire_site_liveness_up{site=\"c\"} 0", text);
        Assert.Contains("keepwire_site_liveness_rtt_seconds{site=\"a\"} 0.0005", text);
        Assert.DoesNotContain("keepwire_site_liveness_rtt_seconds{site=\"c\"}", text);
        Assert.Contains("keepwire_site_liveness_loss_ratio{site=\"a\"} 0.01", text);
        Assert.Contains("keepwire_site_liveness_loss_ratio{site=\"b\"} 0.5", text);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- scrape:\n{text}");
    }

    [Fact]
    public async Task Refusals_the_engine_read_are_counted()
    {
        var harness = new EngineHarness();
        var metrics = new HubMetrics(new NotificationCounters());
        var engine = harness.Engine();
        var refused = new RefusedFlow(IPAddress.Parse("10.77.0.2"), TransportProtocol.Tcp, 443, harness.Now);

        var step = engine.Step(new HubEvidence { Refusals = [refused, refused, refused] });
        metrics.StepTaken(step, engine);

        Assert.Contains("keepwire_site_refusals_total 3", await ScrapeAsync(metrics));
    }

    private static async Task<string> ScrapeAsync(HubMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }
}
