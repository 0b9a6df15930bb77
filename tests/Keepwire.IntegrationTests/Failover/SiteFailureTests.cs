using System.Net;
using System.Net.Sockets;
using Keepwire.Decisions;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Automatic failover with the real daemons: the serving site dies while a client keeps asking,
/// traffic moves to the next site without a failed new connection (a request whose connection was
/// up when the site died may be lost with it: no switch can save it), the history says why, and when the site is back traffic returns to it after the preempt
/// delay (or stays, with <c>preempt: false</c>).
/// </summary>
[Collection("namespaces")]
public sealed class SiteFailureTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    public enum Failure
    {
        NginxStopped,
        LinkCut,
        ProcessesKilled,
    }

    [Theory]
    [InlineData(Failure.NginxStopped)]
    [InlineData(Failure.LinkCut)]
    [InlineData(Failure.ProcessesKilled)]
    public async Task When_the_serving_site_dies_new_requests_move_to_the_next_site_without_failing_and_return_after_the_preempt_delay(Failure failure)
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await using var loop = Lab.StartClientLoop();
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");

            var fault = await Fault.CauseAsync($"alpha: {failure}", () => BreakAsync(failure));
            var brokenAt = fault.End;
            var moved = await Lab.WaitForServingAsync("web", "bravo");
            output.WriteLine($"{failure}: web on bravo {(moved.Since - brokenAt)?.TotalMilliseconds:0} ms after the break (epoch {moved.Epoch})");
            Assert.Equal($"site=bravo client={Lab.Topology.Client.IPv4}\n", await Lab.GetFromClientAsync(Family.Url(Lab.Topology.Vips.IPv4)));

            var failover = Assert.Single(await NewWebEventsAsync(startedAt), e => e.To == "bravo");
            Assert.True(
                failover is { From: "alpha", Reason: DecisionReason.Failover, Automatic: true, Planned: false },
                $"an unplanned automatic failover from alpha wanted: {failover}");
            Assert.Contains("alpha", failover.Detail, StringComparison.Ordinal);
            // The evidence: a failed check (nginx stopped), or for a dead or cut-off site its lost liveness stream.
            Assert.Matches("failed|liveness lost", failover.Detail);
            var history = await Lab.EventsTextAsync();
            Assert.Contains("web: alpha → bravo [Failover]", history, StringComparison.Ordinal);
            output.WriteLine($"{failure}: {failover}");

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "web moved to bravo");
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.True(loop.IsRunning, "the request loop stopped before alpha recovered");
            // The hub's preempt delay runs from its own probes' rise-th pass in a row, which cannot come before
            // the recovery began. When RecoverAsync returns is no bound: in a CI run the preempt came 4.25 s after
            // it returned, so alpha's nginx had been answering the hub's probes for about a second by then.
            var recovery = await Fault.CauseAsync($"alpha: recovery from {failure}", () => RecoverAsync(failure));
            var back = await Lab.WaitForServingAsync("web", "alpha");

            var preempt = (await NewWebEventsAsync(startedAt)).Last();
            Assert.True(
                preempt is { From: "bravo", To: "alpha", Reason: DecisionReason.Preempted, Planned: true },
                $"a planned preempt back to alpha wanted: {preempt}");
            Assert.True(
                preempt.Time >= recovery.Start + DefaultPreemptDelay,
                $"back on alpha at {preempt.Time:HH:mm:ss.fff}, less than the preempt delay after alpha's recovery began ({recovery})");
            output.WriteLine($"{failure}: back on alpha {(back.Since - recovery.Start)?.TotalMilliseconds:0} ms after the recovery began ({recovery}): {preempt}");

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "web moved back to alpha");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{failure}: {requests.Requests.Count} requests: {requests.Summary(fault)}");
            Assert.Contains(requests.Answers, a => a.StartsWith("site=bravo ", StringComparison.Ordinal));
            Assert.True(requests.Answers[^1].StartsWith("site=alpha ", StringComparison.Ordinal), $"the last answers should come from alpha again: {requests.Summary(fault)}");
            Assert.True(
                requests.FailuresNotInFlightAt(fault).Count == 0,
                $"{failure}: requests failed that were not in flight when alpha failed: {requests.Summary(fault)}");
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    [Fact]
    public async Task With_preempt_false_traffic_stays_on_the_next_site_after_the_failed_one_recovers()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        try
        {
            await Lab.ReloadWithAsync(fixture.LabConfig, FailoverSteps.WebPortsLine, FailoverSteps.WebPortsLine + "    preempt: false\n");
            var startedAt = DateTimeOffset.UtcNow;
            await using var loop = Lab.StartClientLoop();

            var fault = await Fault.CauseAsync("alpha's nginx stopped", () => Lab.StopSiteWebServerAsync("alpha"));
            await Lab.WaitForServingAsync("web", "bravo");
            await Lab.StartSiteWebServerAsync("alpha");
            await Lab.WaitForHealthyAsync("alpha");
            // Well past the preempt delay a preempting service would have waited.
            await Task.Delay(DefaultPreemptDelay * 3);

            var web = await Lab.ServiceAsync("web");
            Assert.True(web.ServingSite == "bravo", $"web should stay on bravo: {FailoverSteps.DescribeStatus(await Lab.HubStatusAsync())}");
            Assert.Equal($"site=bravo client={Lab.Topology.Client.IPv6}\n", await Lab.GetFromClientAsync(Family.Url(Lab.Topology.Vips.IPv6)));
            var events = await NewWebEventsAsync(startedAt);
            Assert.True(events is [{ From: "alpha", To: "bravo", Reason: DecisionReason.Failover }], $"only the failover wanted:\n{FailoverSteps.Describe(events)}");

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "alpha was healthy for three preempt delays");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"preempt false: {requests.Requests.Count} requests: {requests.Summary(fault)}");
            Assert.True(requests.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight when alpha's nginx stopped: {requests.Summary(fault)}");
            Assert.StartsWith("site=bravo ", requests.Answers[^1], StringComparison.Ordinal);
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6")]
    public async Task A_udp_service_fails_over_on_its_own_check_while_the_web_service_stays(string family)
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var vip = Family.Pick(family, Lab.Topology.Vips);
        var client = Family.Pick(family, Lab.Topology.Client);
        var alpha = Family.Pick(family, Lab.Topology.Site("alpha").Tunnel);
        var startedAt = DateTimeOffset.UtcNow;
        var hubLogLength = new FileInfo(Lab.DaemonLogFile("hub")).Length;
        try
        {
            Assert.Equal($"site=alpha client={client}\n", await Lab.UdpEchoFromClientAsync(vip));
            // A web request leaves its flow to alpha in the hub's conntrack table (TIME_WAIT, 2 minutes).
            Assert.Equal($"site=alpha client={client}\n", await Lab.GetFromClientAsync(Family.Url(vip)));
            var webFlows = await WebFlowsAsync(vip, alpha);
            Assert.NotEmpty(webFlows);

            await Lab.StopSiteEchoServerAsync("alpha");
            await Lab.WaitForServingAsync("echo", "bravo");
            // echo's flush runs beside the decision loop: wait until it is done, then web's flows must still be there.
            var flush = await WaitForHubLogAsync(hubLogLength, "conntrack entries of echo towards alpha");
            output.WriteLine($"{family}: {flush}");
            Assert.Superset(webFlows, await WebFlowsAsync(vip, alpha));

            Assert.Equal($"site=bravo client={client}\n", await Lab.UdpEchoFromClientAsync(vip));
            Assert.Equal("alpha", (await Lab.ServiceAsync("web")).ServingSite);
            Assert.Equal($"site=alpha client={client}\n", await Lab.GetFromClientAsync(Family.Url(vip)));
            var events = (await Lab.EventsAsync()).Where(e => e.Time >= startedAt).ToList();
            Assert.True(
                events is [{ Service: "echo", From: "alpha", To: "bravo", Reason: DecisionReason.Failover }],
                $"one failover of echo wanted:\n{FailoverSteps.Describe(events)}");
            Assert.Contains("alpha", events[0].Detail, StringComparison.Ordinal);
            Assert.Contains("udp check failed", events[0].Detail, StringComparison.Ordinal);
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private static TimeSpan DefaultPreemptDelay => FailoverSteps.DefaultPreemptDelay;

    /// <summary>The client ports of the hub's conntrack entries of web (tcp/80 on <paramref name="vip"/>) DNATed to <paramref name="site"/>.</summary>
    private async Task<HashSet<string>> WebFlowsAsync(IPAddress vip, IPAddress site)
    {
        var family = vip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        var listing = await Lab.ExecAsync("hub", "conntrack", "-L", "-f", family, "-p", "tcp", "--orig-dst", vip.ToString(), "--dport", "80", "--reply-src", site.ToString());
        Assert.True(listing.Succeeded, $"conntrack -L failed: {listing.StandardError}");
        // The original direction comes first on a line: its sport is the client's port.
        return [.. listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ').First(f => f.StartsWith("sport=", StringComparison.Ordinal)))];
    }

    /// <summary>Waits for a line of the hub's log after <paramref name="offset"/> that contains <paramref name="text"/>; returns it.</summary>
    private async Task<string> WaitForHubLogAsync(long offset, string text)
    {
        var deadline = DateTime.UtcNow + FailoverSteps.DecisionTimeout;
        while (true)
        {
            var line = LabClient.ReadLogFrom(Lab.DaemonLogFile("hub"), offset).Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
                return line;
            Assert.True(DateTime.UtcNow < deadline, $"the hub did not log '{text}': {LabClient.ReadLogTail(Lab.DaemonLogFile("hub"))}");
            await Task.Delay(100);
        }
    }

    private async Task<List<DecisionEvent>> NewWebEventsAsync(DateTimeOffset since) =>
        [.. (await Lab.EventsAsync()).Where(e => e.Service == "web" && e.Time >= since)];

    private async Task BreakAsync(Failure failure)
    {
        switch (failure)
        {
            case Failure.NginxStopped:
                await Lab.StopSiteWebServerAsync("alpha");
                break;
            case Failure.LinkCut:
                await Lab.CutLinkAsync("alpha");
                break;
            case Failure.ProcessesKilled:
                var pids = await Lab.KillEverythingAtAsync("alpha");
                output.WriteLine($"killed {pids.Count} processes at alpha: {string.Join(", ", pids)}");
                break;
        }
    }

    private async Task RecoverAsync(Failure failure)
    {
        switch (failure)
        {
            case Failure.NginxStopped:
                await Lab.StartSiteWebServerAsync("alpha");
                break;
            case Failure.LinkCut:
                await Lab.RestoreLinkAsync("alpha");
                break;
            case Failure.ProcessesKilled:
                await Lab.RestartEverythingAtAsync("alpha");
                break;
        }
    }
}
