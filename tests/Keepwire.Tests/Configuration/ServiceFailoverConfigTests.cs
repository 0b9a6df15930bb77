using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

/// <summary>The per-service failover keys: policy, failover options and health checks, with their defaults.</summary>
public sealed class ServiceFailoverConfigTests
{
    private const string Head = $"""
        hubs:
          - name: hub
            endpoint: hub.example.net:51820
            public_key: {ConfigText.HubKey}
            tunnel: {"{"} ipv4: 10.77.0.1/24 {"}"}
        sites:
          - name: alpha
            public_key: {ConfigText.AlphaKey}
          - name: bravo
            public_key: {ConfigText.BravoKey}
        services:

        """;

    [Fact]
    public void A_fully_specified_service_parses_into_exactly_these_checks_and_options()
    {
        var web = ParseService("""
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80, tcp/443]
                sites: [alpha, bravo]
                policy: failover
                preempt: false
                preempt_delay: 1m
                hold_down: 1.5s
                startup_grace: 500ms
                no_healthy_site: last_resort
                last_resort: bravo
                checks:
                  - name: http
                    type: http
                    port: 8080
                    path: /healthz
                    host: www.example.net
                    expect_status: 200-204
                    expect_body: " ok "
                    interval: 100ms
                    timeout: 0.3s
                    rise: 3
                    fall: 4
                  - { type: udp, port: 7, payload: "ping", expect: "site=" }
                  - { type: exec, command: ["/usr/local/bin/check-db", "--replica"], interval: 2s, timeout: 1s }
                  - { name: tls, type: tcp, port: 443 }
            """);

        Assert.Equal(ServicePolicy.Failover, web.Policy);
        Assert.Equal(
            new FailoverPolicyOptions(
                Preempt: false,
                PreemptDelay: TimeSpan.FromMinutes(1),
                HoldDown: TimeSpan.FromMilliseconds(1500),
                StartupGrace: TimeSpan.FromMilliseconds(500),
                NoHealthySite: NoHealthySiteBehavior.LastResort("bravo")),
            web.Failover);

        Assert.Equal(4, web.Checks.Count);
        Assert.Equal(
            new CheckDefinition("http", CheckKind.Http)
            {
                Port = 8080,
                Path = "/healthz",
                Host = "www.example.net",
                StatusMin = 200,
                StatusMax = 204,
                BodyContains = " ok ",
                Interval = TimeSpan.FromMilliseconds(100),
                Timeout = TimeSpan.FromMilliseconds(300),
                Rise = 3,
                Fall = 4,
            },
            web.Checks[0]);
        Assert.Equal(new CheckDefinition("udp", CheckKind.Udp) { Port = 7, UdpPayload = "ping", UdpExpect = "site=" }, web.Checks[1]);

        var exec = web.Checks[2];
        Assert.Equal(["/usr/local/bin/check-db", "--replica"], exec.Command);
        Assert.Equal(
            new CheckDefinition("exec", CheckKind.Exec) { Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1), Command = exec.Command },
            exec);
        Assert.Equal(new CheckDefinition("tls", CheckKind.Tcp) { Port = 443 }, web.Checks[3]);
    }

    [Fact]
    public void Omitted_keys_give_automatic_failover_with_the_core_defaults_and_a_tcp_check_on_the_backend_port()
    {
        var web = ParseService("""
              - name: web
                vips: [203.0.113.80]
                ports: [udp/53, tcp/8443:443, tcp/80]
                sites: [alpha, bravo]
            """);

        Assert.Equal(ServicePolicy.Failover, web.Policy);
        Assert.Equal(FailoverPolicyOptions.Default, web.Failover);
        Assert.Equal(TimeSpan.FromSeconds(5), web.Failover.PreemptDelay);
        Assert.True(web.Failover.Preempt);
        Assert.Equal(NoHealthySiteBehavior.KeepLast, web.Failover.NoHealthySite);
        var check = Assert.Single(web.Checks);
        Assert.Equal(new CheckDefinition("tcp", CheckKind.Tcp) { Port = 443 }, check);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100)), (check.Interval, check.FastInterval));
    }

    [Fact]
    public void A_udp_only_service_gets_a_udp_check_that_accepts_any_reply()
    {
        var game = ParseService("""
              - name: game
                vips: [203.0.113.81]
                ports: [udp/27015-27030, udp/5000]
                sites: [alpha]
            """);

        var check = Assert.Single(game.Checks);
        Assert.Equal(new CheckDefinition("udp", CheckKind.Udp) { Port = 27015, UdpPayload = "keepwire", UdpExpect = null }, check);
    }

    [Fact]
    public void An_empty_checks_list_means_no_probes()
    {
        var web = ParseService("""
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha]
                checks: []
            """);

        Assert.Empty(web.Checks);
    }

    [Fact]
    public void Check_ports_default_from_the_service_ports_of_their_protocol()
    {
        var mixed = ParseService("""
              - name: mixed
                vips: [203.0.113.80]
                ports: [udp/5353:53, tcp/8080:80, tcp/443]
                sites: [alpha]
                checks: [{ type: http }, { type: tcp }, { type: udp }, { type: exec, command: [/bin/true] }]
            """);

        Assert.Equal([80, 80, 53, null], mixed.Checks.Select(c => c.Port));
        Assert.Equal(["http", "tcp", "udp", "exec"], mixed.Checks.Select(c => c.Name));
    }

    [Fact]
    public void An_http_check_on_a_service_without_tcp_ports_probes_port_80()
    {
        var dns = ParseService("""
              - name: dns
                vips: [203.0.113.80]
                ports: [udp/53]
                sites: [alpha]
                checks: [{ type: http, path: /status }]
            """);

        Assert.Equal(80, Assert.Single(dns.Checks).Port);
    }

    [Fact]
    public void Manual_policy_keeps_its_checks()
    {
        var web = ParseService("""
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha, bravo]
                policy: manual
            """);

        Assert.Equal(ServicePolicy.Manual, web.Policy);
        Assert.Equal(new CheckDefinition("tcp", CheckKind.Tcp) { Port = 80 }, Assert.Single(web.Checks));
    }

    [Fact]
    public void A_single_expected_status_is_a_range_of_one()
    {
        var web = ParseService("""
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha]
                checks: [{ type: http, expect_status: 204 }]
            """);

        var check = Assert.Single(web.Checks);
        Assert.Equal((204, 204), (check.StatusMin, check.StatusMax));
    }

    [Theory]
    [InlineData("200ms", 200)]
    [InlineData("1.5s", 1500)]
    [InlineData("5s", 5000)]
    [InlineData("1m", 60_000)]
    [InlineData("0.25s", 250)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    public void Durations_are_read_with_their_unit(string text, int milliseconds)
    {
        var web = ParseService($"""
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha]
                hold_down: {text}
            """);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), web.Failover.HoldDown);
    }

    [Fact]
    public void Every_problem_of_one_check_is_reported_at_its_own_key()
    {
        var yaml = Head + """
              - name: web
                vips: [203.0.113.80]
                ports: [tcp/80]
                sites: [alpha]
                checks:
                  - type: http
                    interval: 200
                    rise: 0
                    fall: 0
                    expect_status: 99
            """;

        var result = ConfigLoader.Parse(yaml, "cluster.yaml");

        Assert.Null(result.Config);
        Assert.Equal(
            [
                "cluster.yaml:18:19: interval '200' has no unit (hint: add one: 200ms or 200s)",
                "cluster.yaml:19:15: check http: rise must be at least 1",
                "cluster.yaml:20:15: check http: fall must be at least 1",
                "cluster.yaml:21:24: check http: status range 99-99 is not within 100-599",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    private static ServiceConfig ParseService(string serviceYaml)
    {
        var result = ConfigLoader.Parse(Head + serviceYaml, "cluster.yaml");
        Assert.Empty(result.Errors);
        return Assert.Single(result.Config!.Services);
    }
}
