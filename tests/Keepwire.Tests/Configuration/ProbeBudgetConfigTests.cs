namespace Keepwire.Tests.Configuration;

public sealed class ProbeBudgetConfigTests
{
    /// <summary>The base config (alpha at line 7) plus <paramref name="count"/> services on alpha with the given check.</summary>
    private static ConfigText WithServices(int count, Func<int, string> check) =>
        ConfigText.Base.Append([.. Enumerable.Range(0, count).Select(i =>
            $"  - {{ name: svc{i}, vips: [203.0.113.81], ports: [tcp/{10000 + i}], sites: [alpha], checks: [{check(i)}] }}")]);

    [Fact]
    public void A_thousand_services_sharing_one_check_on_a_site_are_fine() =>
        WithServices(1000, _ => "{ type: http, port: 80, path: /healthz }").AssertValid("cluster.yaml");

    [Fact]
    public void Distinct_checks_within_the_budget_are_fine() =>
        // web's default TCP check on port 80 (20 attempts a second) and 24 own ports: 500.
        WithServices(24, i => $"{{ type: tcp, port: {10000 + i} }}").AssertValid("cluster.yaml");

    [Fact]
    public void Distinct_checks_beyond_the_budget_are_refused_at_the_site_with_what_to_do() =>
        WithServices(25, i => $"{{ type: tcp, port: {10000 + i} }}").AssertSingleError("cluster.yaml", 7, 5,
            "site 'alpha' would get 520 probe attempts a second while in question (at the checks' fast_interval) from 26 distinct checks of its services (at most 500) (hint: services that check the same thing on a site");

    [Fact]
    public void A_longer_fast_interval_makes_room_for_more_distinct_checks() =>
        WithServices(200, i => $"{{ type: tcp, port: {10000 + i}, fast_interval: 1s }}").AssertValid("cluster.yaml");
}
