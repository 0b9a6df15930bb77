using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// <c>keepwire failover web --to bravo</c> is a planned move: new connections go to bravo, while a
/// connection already open to alpha keeps going there until it ends. The pin shows in status until
/// <c>keepwire unpin web</c> removes it.
/// </summary>
[Collection("namespaces")]
public sealed class PlannedFailoverTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    // 50 MiB at 4 MiB/s: about 12 s, long enough to move the service in the middle of it on a busy machine.
    private const string DownloadRate = "4M";

    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task New_connections_go_to_the_new_site_while_an_open_download_from_the_old_one_finishes(string family)
    {
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);
        var bigFileBytes = new LabOptions().BigFileBytes;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        Task<CommandResult>? download = null;
        try
        {
            Assert.Equal($"site=alpha client={client}\n", await Lab.GetFromClientAsync(Family.Url(vip)));
            download = Lab.ExecAsync(
                "client",
                ["curl", "--silent", "--show-error", "--max-time", "90", "--limit-rate", DownloadRate, "--output", "/dev/null", "--write-out", "%{http_code} %{size_download}", Family.Url(vip, path: "/big")],
                cancellationToken: cancel.Token);
            await WaitForEstablishedConnectionAsync("alpha", client.ToString(), download);

            var moved = await Lab.FailoverAsync("web", "bravo");

            Assert.Contains("alpha → bravo", moved.StandardOutput, StringComparison.Ordinal);
            Assert.Equal("bravo", (await Lab.HubStatusAsync()).Services.Single(s => s.Name == "web").PinnedSite);
            Assert.Equal($"site=bravo client={client}\n", await Lab.GetFromClientAsync(Family.Url(vip)));
            var other = family == "IPv4" ? "IPv6" : "IPv4";
            Assert.Equal(
                $"site=bravo client={Family.Pick(other, Lab.Topology.Client)}\n",
                await Lab.GetFromClientAsync(Family.Url(Family.Pick(other, Lab.Topology.Vips))));
            Assert.False(download.IsCompleted, "the download ended before the service moved: nothing was shown about open connections");

            var finished = await download;
            Assert.True(finished.Succeeded, $"the download that was open during the move broke ({finished.ExitCode}): {finished.StandardError}");
            Assert.Equal($"200 {bigFileBytes}", finished.StandardOutput);
            var accessLog = await File.ReadAllLinesAsync(Lab.WebAccessLog("alpha"));
            Assert.Contains(accessLog, l => l.StartsWith($"{client} ", StringComparison.Ordinal) && l.EndsWith($"\"GET /big HTTP/1.1\" 200 {bigFileBytes}", StringComparison.Ordinal));
        }
        finally
        {
            await cancel.CancelAsync();
            if (download is not null)
                await download.ContinueWith(_ => { }, TaskScheduler.Default);
            // Back to alpha, and the pin removed: the next test starts from the policy's own choice.
            await Lab.FailoverAsync("web", "alpha");
            var unpinned = await Lab.UnpinAsync("web");
            Assert.StartsWith("web: unpinned, its policy decides again; alpha serves", unpinned.StandardOutput, StringComparison.Ordinal);
        }
    }

    /// <summary>Waits until <paramref name="site"/>'s nginx has an established connection from the client.</summary>
    private async Task WaitForEstablishedConnectionAsync(string site, string client, Task<CommandResult> download)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var seen = "";
        while (DateTime.UtcNow < deadline && !download.IsCompleted)
        {
            var sockets = await Lab.ExecAsync(site, "ss", "-Htn", "state", "established", "( sport = :80 )");
            seen = sockets.StandardOutput;
            if (seen.Contains(client, StringComparison.Ordinal))
                return;
            await Task.Delay(100);
        }
        var outcome = download.IsCompleted ? $"the download already ended: {(await download).StandardError}" : "timed out";
        Assert.Fail($"{site} never had an established connection from {client} ({outcome}); ss showed:\n{seen}");
    }
}
