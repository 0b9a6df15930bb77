using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The lab's network without Keepwire: who can reach whom, name resolution, the NAT in front of
/// charlie, and the web and echo servers on every site. One lab for the whole class; no test
/// here changes it (tests that do build their own).
/// </summary>
[Collection("namespaces")]
public sealed class LabTopologyTests(LabFixture fixture) : IClassFixture<LabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Theory]
    [InlineData("alpha", "203.0.113.11", "203.0.113.100")]
    [InlineData("bravo", "203.0.113.12", "203.0.113.100")]
    [InlineData("alpha", "[2001:db8:113::11]", "2001:db8:113::100")]
    [InlineData("bravo", "[2001:db8:113::12]", "2001:db8:113::100")]
    public async Task Client_reaches_the_web_server_of_a_public_site_and_is_seen_with_its_own_address(string site, string host, string clientAddress)
    {
        var answer = await Run("client", "curl", "--silent", "--show-error", "--max-time", "5", $"http://{host}/");

        Assert.Equal($"site={site} client={clientAddress}\n", answer.StandardOutput);
        // nginx writes the log line after the response has gone out: give it a moment.
        var logged = false;
        for (var attempt = 0; attempt < 50 && !logged; attempt++)
        {
            var accessLog = await File.ReadAllLinesAsync(Lab.WebAccessLog(site));
            logged = accessLog.Any(line => line.StartsWith(clientAddress + " ", StringComparison.Ordinal));
            if (!logged)
                await Task.Delay(100);
        }
        Assert.True(logged, $"{site}'s access log has no line from {clientAddress}");
    }

    [Theory]
    [InlineData("192.168.13.2")]
    [InlineData("[fd00:13::2]")]
    public async Task Client_cannot_reach_the_site_behind_the_nat(string host)
    {
        var answer = await Lab.ExecAsync("client", "curl", "--silent", "--max-time", "3", $"http://{host}/");

        Assert.False(answer.Succeeded, $"charlie answered from outside: {answer.StandardOutput}");
    }

    [Theory]
    [InlineData("alpha")]
    [InlineData("bravo")]
    [InlineData("charlie")]
    public async Task Every_site_answers_web_requests_on_its_own_addresses_both_families(string siteName)
    {
        var site = Lab.Topology.Site(siteName);

        var v4 = await Run(siteName, "curl", "--silent", "--show-error", "--max-time", "5", $"http://{site.Host.IPv4}/");
        var v6 = await Run(siteName, "curl", "--silent", "--show-error", "--max-time", "5", $"http://[{site.Host.IPv6}]/");

        Assert.Equal($"site={siteName} client={site.Host.IPv4}\n", v4.StandardOutput);
        Assert.Equal($"site={siteName} client={site.Host.IPv6}\n", v6.StandardOutput);
    }

    [Fact]
    public async Task The_big_file_is_served_whole()
    {
        var answer = await Run("client", "curl", "--silent", "--show-error", "--max-time", "60", "--output", "/dev/null", "--write-out", "%{http_code} %{size_download}", "http://203.0.113.11/big");

        Assert.Equal("200 52428800", answer.StandardOutput);
    }

    [Theory]
    [InlineData("alpha")]
    [InlineData("bravo")]
    [InlineData("charlie")]
    public async Task Every_site_echoes_udp_on_its_own_addresses_both_families(string siteName)
    {
        var site = Lab.Topology.Site(siteName);

        var v4 = await Run(siteName, ["socat", "-T3", "-", $"UDP4:{site.Host.IPv4}:7"], "ping\n");
        var v6 = await Run(siteName, ["socat", "-T3", "-", $"UDP6:[{site.Host.IPv6}]:7"], "ping\n");

        Assert.Equal($"site={siteName} client={site.Host.IPv4}\n", v4.StandardOutput);
        Assert.Equal($"site={siteName} client={site.Host.IPv6}\n", v6.StandardOutput);
    }

    [Fact]
    public async Task Client_reaches_the_udp_echo_of_a_public_site()
    {
        var answer = await Run("client", ["socat", "-T3", "-", "UDP6:[2001:db8:113::12]:7"], "ping\n");

        Assert.Equal("site=bravo client=2001:db8:113::100\n", answer.StandardOutput);
    }

    [Theory]
    [InlineData("hub")]
    [InlineData("alpha")]
    [InlineData("charlie")]
    [InlineData("client")]
    public async Task Hosts_resolve_the_hub_endpoint_name_to_both_hub_addresses(string host)
    {
        var answer = await Run(host, "getent", "ahosts", "hub.lab.test");

        Assert.Contains("203.0.113.1 ", answer.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2001:db8:113::1 ", answer.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_root_namespace_does_not_resolve_the_lab_names()
    {
        var answer = await new CommandRunner().RunAsync("getent", ["hosts", "hub.lab.test"]);

        Assert.False(answer.Succeeded, $"the lab leaked into the machine's /etc/hosts: {answer.StandardOutput}");
    }

    [Theory]
    [InlineData("TCP4", "203.0.113.1", "203.0.113.13")]
    [InlineData("TCP6", "[2001:db8:113::1]", "2001:db8:113::13")]
    public async Task Charlie_reaches_the_hub_through_the_nat_and_the_hub_sees_the_nat_address(string family, string hubAddress, string natOutside)
    {
        // A one-shot listener on the hub that answers with the peer address it sees.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var port = Random.Shared.Next(20000, 30000);
        var bind = family == "TCP6" ? "[::]" : "0.0.0.0";
        var listener = Lab.ExecAsync("hub", ["socat", "-T10", $"{family}-LISTEN:{port},bind={bind},reuseaddr", $"EXEC:{Path.Combine(Lab.StateDirectory, "echo-reply")} hub"], cancellationToken: cancel.Token);

        CommandResult? answer = null;
        for (var attempt = 0; attempt < 50 && answer?.Succeeded != true; attempt++)
        {
            if (attempt > 0)
                await Task.Delay(100);
            answer = await Lab.ExecAsync("charlie", ["socat", "-T5", "-", $"{family}:{hubAddress}:{port}"], "hello\n", cancel.Token);
        }

        Assert.Equal($"site=hub client={natOutside}\n", answer!.StandardOutput);
        await listener;
        var conntrack = await Run("nat", "conntrack", "-L", "-p", "tcp", "--dport", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("src=" + (family == "TCP6" ? "fd00:13::2" : "192.168.13.2"), conntrack.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Public_hosts_default_route_points_at_the_internet_gateway()
    {
        var v4 = await Run("alpha", "ip", "-4", "route", "show", "default");
        var v6 = await Run("alpha", "ip", "-6", "route", "show", "default");

        Assert.StartsWith("default via 203.0.113.254 dev eth0", v4.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("default via 2001:db8:113::fe dev eth0", v6.StandardOutput, StringComparison.Ordinal);
    }

    private Task<CommandResult> Run(string host, params string[] arguments) => Run(host, arguments, null);

    private async Task<CommandResult> Run(string host, string[] arguments, string? standardInput)
    {
        var result = await Lab.ExecAsync(host, arguments, standardInput);
        Assert.True(result.Succeeded, $"{result.CommandLine} failed ({result.ExitCode}): {result.StandardError}");
        return result;
    }
}
