using System.Net;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Processes;

namespace Keepwire.Tests.Adapters;

public sealed class ConntrackCliTests
{
    private static (int, string, string) Deleted(int count) =>
        (count == 0 ? 1 : 0, "", $"conntrack v1.4.7 (conntrack-tools): {count} flow entries have been deleted.\n");

    [Fact]
    public async Task Deletes_tcp_and_udp_flows_by_reply_source_in_the_backends_family_and_sums_the_counts()
    {
        var runner = new FakeCommandRunner((_, args, _) => Deleted(args.Contains("tcp") ? 3 : 0));

        var deleted = await new ConntrackCli(runner).DeleteFlowsToAsync(IPAddress.Parse("fd77::2"));

        Assert.Equal(3, deleted);
        Assert.Equal(
            ["conntrack -D -f ipv6 -p tcp --reply-src fd77::2", "conntrack -D -f ipv6 -p udp --reply-src fd77::2"],
            runner.Calls.Select(c => $"{c.Program} {string.Join(' ', c.Arguments)}"));
    }

    [Fact]
    public async Task A_real_failure_is_an_error()
    {
        var runner = new FakeCommandRunner((_, _, _) => (1, "", "conntrack v1.4.7 (conntrack-tools): Operation failed: Operation not permitted\n"));

        var error = await Assert.ThrowsAsync<CommandFailedException>(() => new ConntrackCli(runner).DeleteFlowsToAsync(IPAddress.Parse("10.77.0.2")));

        Assert.Contains("-f ipv4", error.Message);
        Assert.Contains("Operation not permitted", error.Message);
    }
}
