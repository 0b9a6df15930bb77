using Keepwire.Adapters.Processes;
using Keepwire.Decisions;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// <c>keepwire drain SITE</c> is planned maintenance: new connections go elsewhere at once, open
/// ones finish where they are, and the drain is operator intent the hub keeps across a crash.
/// </summary>
[Collection("namespaces")]
public sealed class MaintenanceTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private const int Downloads = 3;

    // 50 MiB at 10 MiB/s: about 5 s each, if the machine keeps up; they may take longer, never less.
    private const string DownloadRate = "10M";

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Drain_sends_new_requests_to_the_next_site_at_once_while_every_open_download_completes()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var bigFileBytes = new LabOptions().BigFileBytes;
        var topology = Lab.Topology;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        var downloads = new List<Task<CommandResult>>();
        try
        {
            for (var i = 0; i < Downloads; i++)
            {
                var vip = i % 2 == 0 ? topology.Vips.IPv4 : topology.Vips.IPv6;
                downloads.Add(Lab.ExecAsync(
                    "client",
                    ["curl", "--silent", "--show-error", "--max-time", "150", "--limit-rate", DownloadRate, "--output", "/dev/null", "--write-out", "%{http_code} %{size_download}", Family.Url(vip, path: "/big")],
                    cancellationToken: cancel.Token));
            }
            await WaitForEstablishedDownloadsAsync("alpha", downloads);

            var drain = await Lab.KeepwireAtHubAsync("drain", "alpha");
            var drainedAt = DateTimeOffset.UtcNow;

            Assert.True(drain.Succeeded, $"keepwire drain alpha failed ({drain.ExitCode}): {drain.StandardError}");
            // When web is not in the answer, it left alpha before the drain: the hub's status and log say why.
            if (!drain.StandardOutput.Contains("web: alpha → bravo", StringComparison.Ordinal))
                output.WriteLine($"drain answered: {drain.StandardOutput}\n{(await Lab.KeepwireAtHubAsync("status")).StandardOutput}\nhub log:\n{string.Join('\n', File.ReadLines(Lab.DaemonLogFile("hub")).TakeLast(60))}");
            Assert.Contains("web: alpha → bravo", drain.StandardOutput, StringComparison.Ordinal);
            Assert.Equal($"site=bravo client={topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv4)));
            Assert.Equal($"site=bravo client={topology.Client.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv6)));
            var stillRunning = downloads.Count(d => !d.IsCompleted);
            Assert.True(stillRunning == Downloads, $"only {stillRunning} of {Downloads} downloads were still running when new requests went to bravo: nothing shown about open connections");
            var drained = (await Lab.EventsAsync()).Last(e => e.Service == "web");
            Assert.True(drained is { From: "alpha", To: "bravo", Reason: DecisionReason.Drained, Planned: true }, $"a planned drain wanted: {drained}");

            var results = await Task.WhenAll(downloads);
            output.WriteLine($"downloads finished {(DateTimeOffset.UtcNow - drainedAt).TotalSeconds:0.0} s after the drain: {string.Join(" | ", results.Select(r => $"{r.ExitCode} {r.StandardOutput} {r.StandardError}"))}");
            Assert.All(results, r =>
            {
                Assert.True(r.Succeeded, $"a download open during the drain broke ({r.ExitCode}): {r.StandardError}");
                Assert.Equal($"200 {bigFileBytes}", r.StandardOutput);
            });
            var accessLog = await File.ReadAllLinesAsync(Lab.WebAccessLog("alpha"));
            var completedAtAlpha = accessLog.Count(l => l.EndsWith($"\"GET /big HTTP/1.1\" 200 {bigFileBytes}", StringComparison.Ordinal));
            Assert.True(completedAtAlpha >= Downloads, $"alpha's access log shows {completedAtAlpha} complete downloads of /big, {Downloads} wanted");
        }
        finally
        {
            await cancel.CancelAsync();
            foreach (var download in downloads)
                await download.ContinueWith(_ => { }, TaskScheduler.Default);
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    [Fact]
    public async Task A_drain_survives_kill_9_of_the_hub()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        try
        {
            var drain = await Lab.KeepwireAtHubAsync("drain", "alpha");
            Assert.True(drain.Succeeded, $"keepwire drain alpha failed ({drain.ExitCode}): {drain.StandardError}");
            await Lab.WaitForServingAsync("web", "bravo");

            await Lab.KillDaemonAsync("hub");
            var restartedAt = DateTimeOffset.UtcNow;
            await Lab.StartDaemonAsync("hub");
            await Lab.WaitForHubReconciledAsync(restartedAt);
            // Longer than the startup grace and the preempt delay: time enough to move back, if it were going to.
            await Task.Delay(FailoverSteps.DefaultPreemptDelay * 2);

            var status = await Lab.HubStatusAsync();
            Assert.True(status.Sites.Single(s => s.Name == "alpha").Drained, $"alpha should still be drained: {FailoverSteps.DescribeStatus(status)}");
            Assert.True(status.Services.Single(s => s.Name == "web").ServingSite == "bravo", $"web should stay on bravo: {FailoverSteps.DescribeStatus(status)}");
            Assert.Equal($"site=bravo client={Lab.Topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(Lab.Topology.Vips.IPv4)));
            var statusText = await Lab.KeepwireAtHubAsync("status");
            output.WriteLine(statusText.StandardOutput);

            var undrain = await Lab.KeepwireAtHubAsync("undrain", "alpha");
            Assert.True(undrain.Succeeded, $"keepwire undrain alpha failed ({undrain.ExitCode}): {undrain.StandardError}");
            await Lab.WaitForServingAsync("web", "alpha");
            Assert.False((await Lab.SiteAsync("alpha")).Drained);
        }
        finally
        {
            await Lab.EnsureHubRunningAsync();
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    /// <summary>Waits until <paramref name="site"/>'s nginx has an established connection for every download.</summary>
    private async Task WaitForEstablishedDownloadsAsync(string site, IReadOnlyList<Task<CommandResult>> downloads)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = "";
        while (DateTime.UtcNow < deadline && downloads.All(d => !d.IsCompleted))
        {
            var sockets = await Lab.ExecAsync(site, "ss", "-Htn", "state", "established", "( sport = :80 )");
            seen = sockets.StandardOutput;
            if (seen.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= downloads.Count)
                return;
            await Task.Delay(100);
        }
        var ended = downloads.Where(d => d.IsCompleted).Select(d => d.Result.StandardError);
        Assert.Fail($"{site} never had {downloads.Count} established downloads (ended: {string.Join(" | ", ended)}); ss showed:\n{seen}");
    }
}
