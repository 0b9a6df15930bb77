using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// Keepwire owns one nftables table and touches no other: an operator's own tables in the hub's
/// namespace survive the daemon's start, a reload and a clean stop. A clean stop leaves the data
/// path in place, so traffic keeps flowing without the daemon.
/// </summary>
[Collection("namespaces")]
public sealed class ForeignTablesTests(DaemonLabFixture fixture) : IClassFixture<DaemonLabFixture>
{
    private const string ForeignTables = """
        table inet kwtestother {
            set trusted {
                type ipv4_addr
                elements = { 198.51.100.7 }
            }
            chain c {
                type filter hook input priority 0; policy accept;
                counter comment "keep me"
            }
        }
        table ip kwtestother4 {
            chain c {
                type filter hook forward priority 10; policy accept;
                ip saddr 198.51.100.0/24 counter comment "keep me too"
            }
        }

        """;

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task Other_tables_survive_start_reload_and_stop_and_a_clean_stop_leaves_traffic_flowing()
    {
        var topology = Lab.Topology;
        try
        {
            await Lab.StopDaemonAsync("hub");
            Assert.Null(Lab.DaemonPid("hub"));
            await RunAtHubAsync(["nft", "-f", "-"], ForeignTables);
            var original = await ReadForeignTablesAsync();
            Assert.Contains("keep me", original, StringComparison.Ordinal);

            var startedAt = DateTimeOffset.UtcNow;
            await Lab.StartDaemonAsync("hub");
            await Lab.WaitForHubReconciledAsync(startedAt);
            Assert.Equal(original, await ReadForeignTablesAsync());

            var reload = await Lab.KeepwireAtHubAsync("reload");
            Assert.True(reload.Succeeded, $"reload failed ({reload.ExitCode}): {reload.StandardError}");
            Assert.Equal(original, await ReadForeignTablesAsync());

            var logLength = new FileInfo(Lab.DaemonLogFile("hub")).Length;
            await Lab.StopDaemonAsync("hub");
            Assert.Null(Lab.DaemonPid("hub"));
            Assert.Contains("stopped; the data path stays in place", LabClient.ReadLogFrom(Lab.DaemonLogFile("hub"), logLength), StringComparison.Ordinal);
            Assert.Equal(original, await ReadForeignTablesAsync());

            Assert.True((await Lab.ExecAsync("hub", "nft", "list", "table", "inet", "keepwire")).Succeeded, "the clean stop removed the keepwire table");
            Assert.Equal($"site=alpha client={topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv4)));
            Assert.Equal($"site=alpha client={topology.Client.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(topology.Vips.IPv6)));
            Assert.Equal($"site=alpha client={topology.Client.IPv6}\n", await Lab.UdpEchoFromClientAsync(topology.Vips.IPv6));
        }
        finally
        {
            await Lab.ExecAsync("hub", "nft", "delete", "table", "inet", "kwtestother");
            await Lab.ExecAsync("hub", "nft", "delete", "table", "ip", "kwtestother4");
            await Lab.EnsureHubRunningAsync();
        }
    }

    /// <summary>
    /// Both foreign tables as nft lists them, with handles (a table deleted and made again gets new
    /// ones) and without counter values (which traffic changes).
    /// </summary>
    private async Task<string> ReadForeignTablesAsync()
    {
        var inet = await RunAtHubAsync(["nft", "--stateless", "--handle", "list", "table", "inet", "kwtestother"]);
        var ip = await RunAtHubAsync(["nft", "--stateless", "--handle", "list", "table", "ip", "kwtestother4"]);
        return inet + ip;
    }

    private async Task<string> RunAtHubAsync(string[] command, string? standardInput = null)
    {
        var result = await Lab.ExecAsync("hub", command, standardInput);
        Assert.True(result.Succeeded, $"{result.CommandLine} failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }
}
