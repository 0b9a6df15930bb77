using System.Net;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Tests.Adapters;

public sealed class ConntrackCliTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("198.51.100.10");
    private static readonly IPAddress Site = IPAddress.Parse("10.77.0.2");

    private static (int, string, string) Deleted(int count) =>
        (count == 0 ? 1 : 0, "", $"conntrack v1.4.7 (conntrack-tools): {count} flow entries have been deleted.\n");

    private static string Flow(int sport, int dport) =>
        $"udp      17 29 src=203.0.113.2 dst=198.51.100.10 sport={sport} dport={dport} src=10.77.0.2 dst=203.0.113.2 sport={dport} dport={sport} mark=0 use=1\n";

    private static List<string> CommandLines(FakeCommandRunner runner) =>
        [.. runner.Calls.Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}")];

    [Fact]
    public async Task Deletes_the_flows_to_a_vip_and_port_that_reply_from_the_site_in_one_call()
    {
        var runner = new FakeCommandRunner((_, _, _) => Deleted(3));

        var deleted = await new ConntrackCli(runner).DeleteFlowsAsync(new FlowSelector(IPAddress.Parse("2001:db8::10"), TransportProtocol.Tcp, IPAddress.Parse("fd77::2"), 443, 443));

        Assert.Equal(3, deleted);
        Assert.Equal(["conntrack -D -f ipv6 -p tcp --orig-dst 2001:db8::10 --dport 443 --reply-src fd77::2"], CommandLines(runner));
    }

    [Fact]
    public async Task Without_ports_every_port_of_the_vip_is_deleted_in_one_call()
    {
        var runner = new FakeCommandRunner((_, _, _) => Deleted(0));

        var deleted = await new ConntrackCli(runner).DeleteFlowsAsync(new FlowSelector(Vip, TransportProtocol.Udp, Site));

        Assert.Equal(0, deleted);
        Assert.Equal(["conntrack -D -f ipv4 -p udp --orig-dst 198.51.100.10 --reply-src 10.77.0.2"], CommandLines(runner));
    }

    [Theory]
    [InlineData("203.0.113.80", "conntrack -D -f ipv4 --orig-dst 203.0.113.80")]
    [InlineData("2001:db8::80", "conntrack -D -f ipv6 --orig-dst 2001:db8::80")]
    public async Task Every_flow_towards_a_public_address_is_deleted_in_one_call(string address, string expected)
    {
        var runner = new FakeCommandRunner((_, _, _) => Deleted(7));

        var deleted = await new ConntrackCli(runner).DeleteFlowsToAsync(IPAddress.Parse(address));

        Assert.Equal(7, deleted);
        Assert.Equal([expected], CommandLines(runner));
    }

    [Fact]
    public async Task A_range_is_listed_once_and_deleted_only_on_its_ports_that_have_flows()
    {
        // Two flows on 10050, one on 10001, one on 7 (another service's port, outside the range).
        var listing = Flow(40000, 10050) + Flow(40001, 10050) + Flow(40002, 7) + Flow(40003, 10001);
        var runner = new FakeCommandRunner((_, args, _) => args[0] == "-L" ? (0, listing, "4 flow entries have been shown.\n") : Deleted(args.Contains("10050") ? 2 : 1));

        var deleted = await new ConntrackCli(runner).DeleteFlowsAsync(new FlowSelector(Vip, TransportProtocol.Udp, Site, 10000, 10100));

        Assert.Equal(3, deleted);
        Assert.Equal(
            [
                "conntrack -L -f ipv4 -p udp --orig-dst 198.51.100.10 --reply-src 10.77.0.2",
                "conntrack -D -f ipv4 -p udp --orig-dst 198.51.100.10 --dport 10001 --reply-src 10.77.0.2",
                "conntrack -D -f ipv4 -p udp --orig-dst 198.51.100.10 --dport 10050 --reply-src 10.77.0.2",
            ],
            CommandLines(runner));
    }

    [Fact]
    public async Task A_real_failure_is_an_error()
    {
        var runner = new FakeCommandRunner((_, _, _) => (1, "", "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n"));
        var conntrack = new ConntrackCli(runner);

        var error = await Assert.ThrowsAsync<CommandFailedException>(() => conntrack.DeleteFlowsAsync(new FlowSelector(Vip, TransportProtocol.Tcp, Site, 80, 80)));
        var listingError = await Assert.ThrowsAsync<CommandFailedException>(() => conntrack.DeleteFlowsAsync(new FlowSelector(Vip, TransportProtocol.Tcp, Site, 80, 90)));

        Assert.Contains("--orig-dst 198.51.100.10", error.Message);
        Assert.Contains("Operation not permitted", error.Message);
        Assert.Contains("-L", listingError.Message);
    }

    [Fact]
    public void A_selector_never_mixes_families_nor_takes_half_a_range()
    {
        Assert.Throws<ArgumentException>(() => new FlowSelector(Vip, TransportProtocol.Tcp, IPAddress.Parse("fd77::2")));
        Assert.Throws<ArgumentException>(() => new FlowSelector(Vip, TransportProtocol.Tcp, Site, 80, null));
        Assert.Throws<ArgumentException>(() => new FlowSelector(Vip, TransportProtocol.Tcp, Site, 90, 80));
    }
}
