using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Metrics;
using Keepwire.Tests.Configuration;

namespace Keepwire.Tests.Metrics;

/// <summary>The site agent's exposition: its build, the verdict it reports, its failed passes, and its tunnel to each hub by wireguard_exporter's names.</summary>
public sealed class SiteMetricsTests
{
    [Fact]
    public async Task A_site_shows_its_report_its_failed_passes_and_its_tunnel_to_the_hub_and_promtool_accepts_it()
    {
        var hub = ConfigLoader.Parse(ConfigText.Base.ToString(), "k.yaml").Config!.Hubs[0];
        var metrics = new SiteMetrics();
        var handshake = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var device = new WireGuardDeviceState(null, 0, [new WireGuardPeerState(hub.PublicKey, null, [], handshake, 4096, 1024, 25)]);

        metrics.Reported(false);
        metrics.ReconcileFailed();
        metrics.WireGuardRead("kw-hub", hub, device);
        var text = await ScrapeAsync(metrics);

        Assert.Matches("keepwire_build_info\\{version=\"[^\"]+\",runtime=\"[^\"]+\",role=\"site\"\\} 1", text);
        Assert.Contains("keepwire_site_report_healthy 0", text);
        Assert.Contains("keepwire_reconcile_errors_total{stage=\"pass\"} 1", text);
        var labels = $"interface=\"kw-hub\",public_key=\"{hub.PublicKey.Base64}\",hub=\"{hub.Name}\"";
        Assert.Contains($"wireguard_latest_handshake_seconds{{{labels}}} 1800000000", text);
        Assert.Contains($"wireguard_received_bytes_total{{{labels}}} 4096", text);
        Assert.Contains($"wireguard_sent_bytes_total{{{labels}}} 1024", text);
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}):\n{output}\n--- scrape:\n{text}");

        metrics.Reported(true);
        Assert.Contains("keepwire_site_report_healthy 1", await ScrapeAsync(metrics));
    }

    private static async Task<string> ScrapeAsync(SiteMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }
}
