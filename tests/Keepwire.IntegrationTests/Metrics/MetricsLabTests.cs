using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.IntegrationTests.Notifications;
using Keepwire.Lab;
using Keepwire.Tests.Metrics;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Metrics;

/// <summary>
/// The metrics endpoints of the real daemons in the lab: a real Prometheus server in the hub's namespace
/// scrapes the hub every 500 ms and answers PromQL about the serving site after the serving site's link is
/// cut; every query of the Grafana dashboard in deploy/ names metrics a live scrape of the hub has, and
/// Prometheus accepts it; a site agent serves its own metrics. promtool lints both live scrapes.
/// </summary>
[Collection("namespaces")]
public sealed class MetricsLabTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    /// <summary>The documented default port, on each node's loopback (each namespace has its own).</summary>
    private const int MetricsPort = 19586;

    private const int PrometheusPort = 9616;
    private const int ReceiverPort = 9617;

    /// <summary>Generous for a loaded 2-core machine: a scrape every 500 ms shows a change within a second or two when idle.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(60);

    private LabHandle Lab => fixture.Lab;

    private string HubNamespace => Lab.Topology.NamespaceOf("hub");

    private string Receiver => $"webhook http://127.0.0.1:{ReceiverPort}";

    [Fact]
    public async Task A_real_Prometheus_scraping_the_hub_answers_which_site_serves_web_after_the_serving_sites_link_is_cut()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        await using var receiver = new WebhookReceiver(HubNamespace, ReceiverPort, TimeSpan.Zero);
        try
        {
            await EnableMetricsAsync(receiver);
            await using var prometheus = await PrometheusServer.StartAsync(HubNamespace, PrometheusPort, $"127.0.0.1:{MetricsPort}");
            await prometheus.WaitForAsync("keepwire_service_serving{service=\"web\",site=\"alpha\"} == 1", QueryTimeout);
            var failoversBefore = (await prometheus.QueryAsync("sum(keepwire_failovers_total{service=\"web\",reason=\"failover\"})")).Samples.SingleOrDefault()?.Value ?? 0;

            var cut = await Fault.CauseAsync("alpha's link cut", () => Lab.CutLinkAsync("alpha"));
            var moved = await Lab.WaitForServingAsync("web", "bravo");

            // What an operator asks Prometheus: which site serves web now.
            var serving = await prometheus.WaitForAsync("keepwire_service_serving{service=\"web\",site=\"bravo\"} == 1", QueryTimeout);
            var answeredAt = DateTimeOffset.UtcNow;
            var now = await prometheus.QueryAsync("keepwire_service_serving{service=\"web\"} == 1");
            Assert.True(now.Succeeded, now.Error);
            Assert.Equal("bravo", Assert.Single(now.Samples).Labels["site"]);
            Assert.Equal("keepwire", Assert.Single(serving).Labels["job"]);
            await prometheus.WaitForAsync("keepwire_service_serving{service=\"web\",site=\"alpha\"} == 0", QueryTimeout);
            await prometheus.WaitForAsync("keepwire_site_healthy{service=\"web\",site=\"alpha\"} == 0", QueryTimeout);
            var failovers = await prometheus.WaitForAsync($"sum(keepwire_failovers_total{{service=\"web\",reason=\"failover\"}}) > {failoversBefore}", QueryTimeout);
            var timed = await prometheus.WaitForAsync("keepwire_failover_detection_to_switch_seconds_count > 0", QueryTimeout);
            var delivered = await prometheus.WaitForAsync($"keepwire_notifications_delivered_total{{receiver=\"{Receiver}\"}} > 0", QueryTimeout);
            var dropped = await prometheus.QueryAsync($"keepwire_notifications_dropped_total{{receiver=\"{Receiver}\"}}");

            output.WriteLine($"{cut}; hub switched web to bravo at {moved.Since:HH:mm:ss.fff}; prometheus answered bravo at {answeredAt:HH:mm:ss.fff}");
            output.WriteLine($"failovers {failoversBefore} → {Assert.Single(failovers).Value}, detection-to-switch observations {Assert.Single(timed).Value}, notifications delivered {Assert.Single(delivered).Value}");
            Assert.True(dropped.Succeeded, dropped.Error);
            Assert.Equal(0.0, Assert.Single(dropped.Samples).Value);
        }
        finally
        {
            await DisableMetricsAsync();
        }
    }

    [Fact]
    public async Task Every_query_of_the_Grafana_dashboard_names_metrics_in_a_live_scrape_of_the_lab_hub_and_Prometheus_accepts_it()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        await using var receiver = new WebhookReceiver(HubNamespace, ReceiverPort, TimeSpan.Zero);
        try
        {
            await EnableMetricsAsync(receiver);
            // A scrape with every site's real WireGuard peer in it: the hub's reconcile pass has read the device.
            var scrape = await ScrapeUntilAsync("hub", text => Lab.Topology.Sites.All(site => text.Split('\n').Any(line =>
                line.StartsWith("wireguard_latest_handshake_seconds{", StringComparison.Ordinal) && line.Contains($"site=\"{site.Name}\"}}", StringComparison.Ordinal))));
            var (exitCode, lint) = await Promtool.CheckMetricsAsync(scrape);
            Assert.True(exitCode == 0, $"promtool check metrics failed on the lab hub's scrape ({exitCode}):\n{lint}\n--- scrape:\n{scrape}");
            var problems = DashboardQueries.Unexported(scrape);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            await using var prometheus = await PrometheusServer.StartAsync(HubNamespace, PrometheusPort, $"127.0.0.1:{MetricsPort}");
            await prometheus.WaitForAsync("up{job=\"keepwire\"} == 1", QueryTimeout);

            foreach (var expression in DashboardQueries.Expressions())
            {
                var answer = await prometheus.QueryAsync(expression);
                Assert.True(answer.Succeeded, $"prometheus refused the dashboard query '{expression}': {answer.Error}");
                output.WriteLine($"{answer.Samples.Count,3} series: {expression}");
            }
        }
        finally
        {
            await DisableMetricsAsync();
        }
    }

    [Fact]
    public async Task A_site_agent_serves_its_build_its_report_and_its_tunnel_to_the_hub()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        try
        {
            await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig + $"metrics: {{ listen: 127.0.0.1:{MetricsPort} }}\n");
            await ReloadSiteAsync("bravo");

            var hubKey = Lab.PublicKey("hub");
            var scrape = await ScrapeUntilAsync("bravo", text => text.Contains($"public_key=\"{hubKey}\",hub=\"hub\"}}", StringComparison.Ordinal));

            Assert.Matches("keepwire_build_info\\{version=\"[^\"]+\",runtime=\"[^\"]+\",role=\"site\"\\} 1", scrape);
            Assert.Contains("keepwire_site_report_healthy 1", scrape);
            Assert.Contains("keepwire_reconcile_errors_total{stage=\"pass\"} 0", scrape);
            Assert.Matches($"wireguard_latest_handshake_seconds\\{{interface=\"[^\"]+\",public_key=\"{System.Text.RegularExpressions.Regex.Escape(hubKey)}\",hub=\"hub\"\\}} [1-9]", scrape);
            Assert.DoesNotContain("keepwire_service_serving", scrape); // the hub decides; a site does not claim to know
            var (exitCode, lint) = await Promtool.CheckMetricsAsync(scrape);
            Assert.True(exitCode == 0, $"promtool check metrics failed on the site's scrape ({exitCode}):\n{lint}\n--- scrape:\n{scrape}");
        }
        finally
        {
            await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig);
            await ReloadSiteAsync("bravo");
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    /// <summary>The lab's config with metrics on the hub's loopback and a webhook receiver there, reloaded.</summary>
    private async Task EnableMetricsAsync(WebhookReceiver receiver)
    {
        await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig + $"""
            metrics: {"{"} listen: 127.0.0.1:{MetricsPort} {"}"}
            notify:
              - {"{"} type: webhook, url: "{receiver.Url}" {"}"}

            """);
        await Lab.ReloadAsync();
    }

    private async Task DisableMetricsAsync()
    {
        await File.WriteAllTextAsync(Lab.ConfigPath, fixture.LabConfig);
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
    }

    private async Task ReloadSiteAsync(string site)
    {
        var reload = await LabClient.RunKeepwireAsync("reload", "--socket", Lab.DaemonSocketPath(site));
        Assert.True(reload.Succeeded, $"keepwire reload of {site} failed ({reload.ExitCode}): {reload.StandardError}");
    }

    /// <summary>GETs the node's /metrics inside its namespace until <paramref name="complete"/> holds (the listener opens beside the daemon's loop); that scrape.</summary>
    private async Task<string> ScrapeUntilAsync(string node, Func<string, bool> complete)
    {
        var deadline = DateTime.UtcNow + QueryTimeout;
        var last = "";
        while (true)
        {
            var answer = await Lab.ExecAsync(node, "curl", "--silent", "--show-error", "--fail", "--max-time", "10", $"http://127.0.0.1:{MetricsPort}/metrics");
            last = answer.Succeeded ? answer.StandardOutput : answer.StandardError;
            if (answer.Succeeded && complete(last))
                return last;
            Assert.True(DateTime.UtcNow < deadline, $"{node}'s metrics were not complete within {QueryTimeout.TotalSeconds} s; last answer:\n{last}");
            await Task.Delay(250);
        }
    }
}
