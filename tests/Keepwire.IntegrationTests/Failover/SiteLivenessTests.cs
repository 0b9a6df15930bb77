using Keepwire.Decisions;
using Keepwire.Health.Liveness;
using Keepwire.Lab;
using Xunit.Abstractions;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Site liveness with the real daemons: a site whose link is cut is lost on its liveness stream and every service it
/// serves moves in the same pass; a site that still answers liveness but whose nginx stopped fails over on its check.
/// </summary>
[Collection("namespaces")]
public sealed class SiteLivenessTests(FailoverLabFixture fixture, ITestOutputHelper output) : IClassFixture<FailoverLabFixture>
{
    private LabHandle Lab => fixture.Lab;

    [Fact]
    public async Task A_site_whose_link_is_cut_is_lost_and_all_its_services_move_on_that_loss()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await WaitForLivenessAsync("alpha", "up");
            await WaitForLivenessAsync("bravo", "up");
            // Past the sessions' startup window (a hub just started allows a second of silence, so the service checks
            // would see the cut first): this test is about liveness in the steady state.
            await Task.Delay(LivenessSession.DefaultStartupWindow);

            await Lab.CutLinkAsync("alpha");
            await Lab.WaitForServingAsync("web", "bravo");
            await Lab.WaitForServingAsync("echo", "bravo");

            var events = (await Lab.EventsAsync()).Where(e => e.Time >= startedAt && e.From == "alpha").ToList();
            var web = Assert.Single(events, e => e.Service == "web");
            var echo = Assert.Single(events, e => e.Service == "echo");
            Assert.True(web is { To: "bravo", Reason: DecisionReason.Failover }, $"web: {web}");
            // Both moved on the one liveness loss; that they switch in one engine step is the engine tests' (each
            // service's decision reads the clock itself, so their times differ by microseconds).
            Assert.True(echo is { To: "bravo", Reason: DecisionReason.Failover }, $"echo: {echo}");
            Assert.Contains("liveness lost", web.Detail, StringComparison.Ordinal);
            Assert.Contains("liveness lost", echo.Detail, StringComparison.Ordinal);
            var text = await Lab.EventsTextAsync();
            Assert.Contains("alpha: liveness lost for", text, StringComparison.Ordinal);
            Assert.Equal("lost", (await Lab.SiteAsync("alpha")).Liveness?.State);
            Assert.Equal("up", (await Lab.SiteAsync("bravo")).Liveness?.State);
            output.WriteLine($"{web}\n{echo}");
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    [Fact]
    public async Task A_site_that_answers_liveness_but_whose_nginx_stopped_still_fails_over()
    {
        await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            await WaitForLivenessAsync("alpha", "up");

            await Lab.StopSiteWebServerAsync("alpha");
            await Lab.WaitForServingAsync("web", "bravo");

            var web = Assert.Single(await Lab.EventsAsync(), e => e.Time >= startedAt && e.Service == "web");
            Assert.True(web is { From: "alpha", To: "bravo", Reason: DecisionReason.Failover }, $"web: {web}");
            Assert.DoesNotContain("liveness", web.Detail, StringComparison.Ordinal);
            Assert.Equal("up", (await Lab.SiteAsync("alpha")).Liveness?.State);
            Assert.Equal("alpha", (await Lab.ServiceAsync("echo")).ServingSite);
            output.WriteLine(web.ToString());
        }
        finally
        {
            await Lab.RestoreSteadyStateAsync(fixture.LabConfig);
        }
    }

    private Task<Hub.SiteStatus> WaitForLivenessAsync(string site, string state) =>
        Lab.WaitForStatusAsync($"{site}'s liveness {state}", status => status.Sites.Single(s => s.Name == site) is { Liveness.State: var now } s && now == state ? s : null, TimeSpan.FromSeconds(30));
}
