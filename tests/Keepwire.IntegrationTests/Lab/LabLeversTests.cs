using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The levers tests pull on a lab: servers stopped and started, links cut and restored, and
/// the files a lab writes. Each test puts back what it changed, so they can share one lab.
/// </summary>
[Collection("namespaces")]
public sealed class LabLeversTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_stopped_web_server_refuses_connections_until_started_again()
    {
        await Lab.StopSiteWebServerAsync("bravo");
        var whileStopped = await Lab.ExecAsync("client", "curl", "--silent", "--max-time", "3", "http://203.0.113.12/");
        await Lab.StartSiteWebServerAsync("bravo");
        var afterStart = await Lab.ExecAsync("client", "curl", "--silent", "--max-time", "3", "http://203.0.113.12/");

        Assert.False(whileStopped.Succeeded, $"bravo answered while its nginx was stopped: {whileStopped.StandardOutput}");
        Assert.Equal("site=bravo client=203.0.113.100\n", afterStart.StandardOutput);
    }

    [Fact]
    public async Task A_stopped_echo_server_stays_silent_until_started_again()
    {
        await Lab.StopSiteEchoServerAsync("alpha");
        var whileStopped = await Lab.ExecAsync("client", ["socat", "-T2", "-", "UDP4:203.0.113.11:7"], "ping\n");
        await Lab.StartSiteEchoServerAsync("alpha");
        var afterStart = await Lab.ExecAsync("client", ["socat", "-T3", "-", "UDP4:203.0.113.11:7"], "ping\n");

        Assert.Equal("", whileStopped.StandardOutput);
        Assert.Equal("site=alpha client=203.0.113.100\n", afterStart.StandardOutput);
    }

    [Theory]
    [InlineData("alpha", "client", "203.0.113.11")]
    [InlineData("hub", "client", "203.0.113.1")]
    [InlineData("charlie", "charlie", "203.0.113.1")]
    public async Task A_cut_link_drops_traffic_until_restored(string cutHost, string fromHost, string target)
    {
        Assert.True((await Ping(fromHost, target)).Succeeded, "no connectivity before the cut");

        await Lab.CutLinkAsync(cutHost);
        CommandResult whileCut;
        try
        {
            whileCut = await Ping(fromHost, target);
        }
        finally
        {
            await Lab.RestoreLinkAsync(cutHost);
        }

        Assert.False(whileCut.Succeeded, $"{target} answered while {cutHost}'s link was cut");
        Assert.True(await Eventually(async () => (await Ping(fromHost, target)).Succeeded), "no connectivity after the restore");
    }

    [Fact]
    public async Task The_echo_answers_from_the_tunnel_address_it_was_asked_on()
    {
        // The tunnel address normally appears on WireGuard when the site daemon runs; put it on
        // lo for this test. The asking socket is bound to the site's other address and connected
        // to the tunnel address: it only accepts an answer whose source is the tunnel address,
        // which a wildcard-bound echo server would not give (it would answer from the host address).
        var site = Lab.Topology.Site("charlie");
        await RunChecked(site.Name, "ip", "address", "add", $"{site.Tunnel.IPv4}/32", "dev", "lo");
        await RunChecked(site.Name, "ip", "address", "add", $"{site.Tunnel.IPv6}/128", "dev", "lo", "nodad");
        try
        {
            var v4 = await Lab.ExecAsync(site.Name, ["socat", "-T3", "-", $"UDP4:{site.Tunnel.IPv4}:7,bind={site.Host.IPv4}"], "ping\n");
            var v6 = await Lab.ExecAsync(site.Name, ["socat", "-T3", "-", $"UDP6:[{site.Tunnel.IPv6}]:7,bind=[{site.Host.IPv6}]"], "ping\n");

            Assert.Equal($"site=charlie client={site.Host.IPv4}\n", v4.StandardOutput);
            Assert.Equal($"site=charlie client={site.Host.IPv6}\n", v6.StandardOutput);
        }
        finally
        {
            await Lab.ExecAsync(site.Name, "ip", "address", "del", $"{site.Tunnel.IPv4}/32", "dev", "lo");
            await Lab.ExecAsync(site.Name, "ip", "address", "del", $"{site.Tunnel.IPv6}/128", "dev", "lo");
        }
    }

    [Fact]
    public async Task Private_keys_are_owner_only_and_match_the_public_keys_in_the_config()
    {
        var config = await File.ReadAllTextAsync(Lab.ConfigPath);
        var runner = new CommandRunner();
        foreach (var node in Lab.Topology.Nodes)
        {
            var keyFile = Lab.PrivateKeyFile(node);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            var derived = await runner.RunCheckedAsync("wg", ["pubkey"], await File.ReadAllTextAsync(keyFile));
            Assert.Equal(Lab.PublicKey(node), derived.StandardOutput.Trim());
            Assert.Contains($"public_key: \"{Lab.PublicKey(node)}\"", config, StringComparison.Ordinal);
            Assert.Contains($"private_key_file: {keyFile}", config, StringComparison.Ordinal);
            Assert.DoesNotContain((await File.ReadAllTextAsync(keyFile)).Trim(), config, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Building_a_lab_with_a_prefix_in_use_fails_and_leaves_the_existing_lab_alone()
    {
        var error = await Assert.ThrowsAsync<LabException>(() => fixture.Labs.UpAsync(LabFixture.Options() with { Prefix = Lab.Prefix }));

        Assert.Contains("already exists", error.Message, StringComparison.Ordinal);
        var stillThere = await RunChecked("client", "curl", "--silent", "--max-time", "5", "http://203.0.113.11/");
        Assert.Equal("site=alpha client=203.0.113.100\n", stillThere.StandardOutput);
    }

    [Fact]
    public async Task Status_shows_the_lab_without_daemons_namespaces_and_servers_but_no_tunnels_and_nobody_serving()
    {
        var status = await fixture.Labs.StatusAsync(Lab.Prefix);

        Assert.True(status.StateDirectoryExists);
        Assert.All(status.Namespaces, n => Assert.True(n.Exists, n.Name));
        Assert.Contains(status.Processes, p => p.Name == "nginx-alpha" && p.Alive);
        Assert.Contains(status.Processes, p => p.Name == "echo-charlie-tunnel6" && p.Alive);
        Assert.Equal(["alpha", "bravo", "charlie"], status.Handshakes.Select(h => h.Site));
        Assert.All(status.Handshakes, h => Assert.Null(h.LatestHandshake));
        Assert.Equal(4, status.Serving.Count);
        Assert.All(status.Serving, s => Assert.Null(s.Site));

        using var json = JsonDocument.Parse(status.ToJson());
        Assert.Equal(Lab.Prefix, json.RootElement.GetProperty("prefix").GetString());
        Assert.Contains("nginx-alpha", status.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_opened_lab_drives_the_same_processes()
    {
        var opened = fixture.Labs.Open(Lab.Prefix);

        Assert.Equal(Lab.KeepwireCommand, opened.KeepwireCommand);
        Assert.Equal(Lab.ConfigPath, opened.ConfigPath);
        await opened.StopSiteWebServerAsync("charlie");
        await opened.StartSiteWebServerAsync("charlie");
        var answer = await RunChecked("charlie", "curl", "--silent", "--max-time", "5", "http://192.168.13.2/");
        Assert.Equal("site=charlie client=192.168.13.2\n", answer.StandardOutput);
    }

    private Task<CommandResult> Ping(string fromHost, string target) =>
        Lab.ExecAsync(fromHost, "ping", "-c", "1", "-W", "1", target);

    private async Task<CommandResult> RunChecked(string host, params string[] arguments)
    {
        var result = await Lab.ExecAsync(host, arguments);
        Assert.True(result.Succeeded, $"{result.CommandLine} failed ({result.ExitCode}): {result.StandardError}");
        return result;
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await condition())
                return true;
            await Task.Delay(250);
        }
        return false;
    }
}
