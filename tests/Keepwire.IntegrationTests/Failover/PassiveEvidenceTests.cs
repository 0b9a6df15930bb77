using Keepwire.Decisions;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Passive evidence on the real data path: alpha's nginx stops, the next client's SYN meets alpha's RST, the hub's
/// table drops the RST (the client retries) and logs it to the hub over NFLOG, and the first probe that fails after
/// it moves web to bravo. Web's probes are slowed here so that <c>fall</c> failures in a row would take 10 s: the
/// reason names the refusal, and no new connection fails.
/// </summary>
[Collection("namespaces")]
public sealed class PassiveEvidenceTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private const string WebCheck = "      - { type: http, path: /healthz, expect_body: \"site=\" }\n";

    /// <summary>Five failures a probe every 2 s: 10 s by the probes alone.</summary>
    private const string SlowWebCheck = "      - { type: http, path: /healthz, expect_body: \"site=\", interval: 2s, fall: 5 }\n";

    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_refused_client_and_the_next_failing_probe_move_the_service_and_no_new_connection_fails()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        try
        {
            await Lab.ReloadWithAsync(fixture.LabConfig, WebCheck, SlowWebCheck);
            await Lab.WaitForServingAsync("web", "alpha");
            // The reload starts the slow checks afresh: bravo must have risen again before alpha fails, or charlie takes web.
            foreach (var site in Lab.Topology.Sites)
                await Lab.WaitForHealthyAsync(site.Name);
            var startedAt = DateTimeOffset.UtcNow;
            await using var loop = Lab.StartClientLoop();
            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "the loop started");

            var fault = await Fault.CauseAsync("alpha's nginx stopped", () => Lab.StopSiteWebServerAsync("alpha"));
            var moved = await Lab.WaitForServingAsync("web", "bravo");
            output.WriteLine($"web on bravo {(moved.Since - fault.End)?.TotalMilliseconds:0} ms after nginx stopped");

            var events = (await Lab.EventsAsync()).Where(e => e.Service == "web" && e.Time >= startedAt).ToList();
            var failover = Assert.Single(events);
            output.WriteLine(failover.ToString());
            Assert.True(failover is { From: "alpha", To: "bravo", Reason: DecisionReason.Failover }, $"a failover from alpha to bravo wanted: {failover}");
            Assert.Contains("confirming a client refused on tcp/80", failover.Detail, StringComparison.Ordinal);
            Assert.Contains("alpha refused a client on tcp/80 (web); its next probe decides", await Lab.EventsTextAsync(), StringComparison.Ordinal);

            await loop.WaitForAnswerAfterAsync(DateTimeOffset.UtcNow, "web moved to bravo");
            var requests = await loop.StopAsync(TimeSpan.FromSeconds(60));
            output.WriteLine($"{requests.Requests.Count} requests: {requests.Summary(fault)}");
            Assert.Contains(requests.Answers, a => a.StartsWith("site=bravo ", StringComparison.Ordinal));
            Assert.True(requests.FailuresNotInFlightAt(fault).Count == 0, $"requests failed that were not in flight when nginx stopped: {requests.Summary(fault)}");
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }
}
