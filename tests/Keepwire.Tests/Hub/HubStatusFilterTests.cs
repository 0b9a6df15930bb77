using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Hub;

namespace Keepwire.Tests.Hub;

public sealed class HubStatusFilterTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ServiceStatus Service(string name, string? serving, params string[] sites) =>
        new(name, serving, "why", T0, 1) { Sites = sites };

    private static SiteStatus Site(string name, string health = SiteStatus.HealthyWord, bool drained = false, params string[] services) =>
        new(name, 100, "agent", ["10.77.0.11"], null, 3, drained, health, [.. services.Select(s => new Keepwire.Hub.CheckStatus($"{s}/http", "healthy", "status 200"))]);

    /// <summary>web and shop on a (first choice) and b; mail failed over from b to c; a healthy, b failing, c drained.</summary>
    private static HubStatus Status() => new(
        "hub", "keepwire.yaml", T0, T0, null,
        [Service("web", "a", "a", "b"), Service("shop", "a", "a", "b"), Service("mail", "c", "b", "c")],
        [Site("a", services: ["web", "shop"]), Site("b", "unhealthy: http check failed 4×: timeout", services: ["web", "shop", "mail"]), Site("c", drained: true, services: ["mail"])]);

    [Fact]
    public void No_filter_keeps_everything() =>
        Assert.Equal((3, 3), (HubStatusFilter.None.Apply(Status()).Services.Count, HubStatusFilter.None.Apply(Status()).Sites.Count));

    [Fact]
    public void Named_services_come_with_the_sites_that_may_serve_them_and_only_their_checks()
    {
        var shown = new HubStatusFilter(["web"], null, false).Apply(Status());

        Assert.Equal(["web"], shown.Services.Select(s => s.Name));
        Assert.Equal(["a", "b"], shown.Sites.Select(s => s.Name));
        Assert.All(shown.Sites, s => Assert.Equal(["web/http"], s.Checks.Select(c => c.Name)));
    }

    [Fact]
    public void A_site_comes_with_the_services_it_may_serve()
    {
        var shown = new HubStatusFilter([], "c", false).Apply(Status());

        Assert.Equal(["mail"], shown.Services.Select(s => s.Name));
        Assert.Equal(["c"], shown.Sites.Select(s => s.Name));
    }

    [Fact]
    public void Problems_are_services_off_their_first_choice_and_sites_drained_or_failing()
    {
        var shown = new HubStatusFilter([], null, true).Apply(Status());

        Assert.Equal(["mail"], shown.Services.Select(s => s.Name));
        Assert.Equal(["b", "c"], shown.Sites.Select(s => s.Name));
    }

    [Fact]
    public void Unknown_names_are_reported_with_a_suggestion()
    {
        var unknown = new HubStatusFilter(["wep", "zzz"], "delta", false).Unknown(Status());

        Assert.Equal(["no service 'wep' (did you mean 'web'?)", "no service 'zzz'", "no site 'delta'"], unknown);
    }

    [Fact]
    public void The_summary_counts_where_services_are()
    {
        var summary = HubStatusSummary.Of(Status() with { Services = [.. Status().Services, Service("idle", null, "a")] });

        Assert.Equal((4, 2, 1, 1), (summary.Services, summary.OnFirstChoice, summary.Elsewhere, summary.Unserved));
        Assert.Equal(2, summary.ServingBySite["a"]);
        Assert.Equal(0, summary.ServingBySite["b"]);
        Assert.Equal(1, summary.ServingBySite["c"]);
    }

    [Fact]
    public void Events_are_narrowed_to_a_service_or_a_site_and_the_newest_few()
    {
        DecisionEvent Switch(int second, string service, string from, string to) =>
            new(T0.AddSeconds(second), service, from, to, DecisionReason.Failover, "why", false, true, second);
        DecisionEvent[] history = [Switch(3, "web", "a", "b"), Switch(1, "mail", "b", "c"), Switch(2, "web", "b", "a"), Switch(4, "mail", "c", "b")];

        var (web, webCount) = new DecisionEventFilter("web", null, 0).Apply(history);
        Assert.Equal([T0.AddSeconds(2), T0.AddSeconds(3)], web.Select(e => e.Time));
        Assert.Equal(2, webCount);

        var (atC, _) = new DecisionEventFilter(null, "c", 0).Apply(history);
        Assert.Equal(["mail", "mail"], atC.Select(e => e.Service));

        var (newest, all) = new DecisionEventFilter(null, null, 2).Apply(history);
        Assert.Equal([T0.AddSeconds(3), T0.AddSeconds(4)], newest.Select(e => e.Time));
        Assert.Equal(4, all);
    }

    [Fact]
    public void Events_show_the_hubs_notes_about_the_site_asked_for_and_the_newest_only()
    {
        HubNote Note(int second, params string[] sites) => new(T0.AddSeconds(second), HubNoteKind.ProbeInconclusive, sites, $"note {second}");
        HubNote[] notes = [Note(3, "a"), Note(1, "b"), Note(2, "a", "b")];

        Assert.Equal(["note 1", "note 2", "note 3"], new DecisionEventFilter(null, null, 0).ApplyNotes(notes).Select(n => n.Summary));
        Assert.Equal(["note 2", "note 3"], new DecisionEventFilter(null, "a", 0).ApplyNotes(notes).Select(n => n.Summary));
        Assert.Equal(["note 3"], new DecisionEventFilter(null, null, 1).ApplyNotes(notes).Select(n => n.Summary));
        Assert.Equal("12:00:03.000 hub: note 3", notes[0].ToString());
    }
}
