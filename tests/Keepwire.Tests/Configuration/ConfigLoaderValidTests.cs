using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class ConfigLoaderValidTests
{
    [Fact]
    public void The_shipped_example_parses_into_the_expected_records()
    {
        var path = Path.Combine(RepoRoot(), "examples", "keepwire.yaml");

        var result = ConfigLoader.Load(path);

        Assert.Empty(result.Errors);
        var config = Assert.IsType<ClusterConfig>(result.Config);
        Assert.Equal(path, config.SourcePath);

        var hub = Assert.Single(config.Hubs);
        Assert.Equal("hub", hub.Name);
        Assert.Equal(new HostEndpoint("hub.example.net", 51820), hub.Endpoint);
        Assert.Equal(51820, hub.ListenPort);
        Assert.Equal("kw0", hub.Interface);
        Assert.Equal("eth0", hub.PublicInterface);
        Assert.Equal(WireGuardKey.Parse("WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA="), hub.PublicKey);
        Assert.Equal("/etc/keepwire/hub.key", hub.PrivateKeyFile);
        Assert.Equal(new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), hub.Tunnel);
        Assert.Equal([IPNetwork.Parse("198.51.100.0/24")], hub.AllowForwardFrom);

        Assert.Equal(["alpha", "bravo", "charlie"], config.Sites.Select(s => s.Name));
        var alpha = config.FindSite("alpha")!;
        Assert.Equal(
            new SiteNode("alpha", WireGuardKey.Parse("ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg="), 200, SiteMode.Agent,
                TunnelAddresses.Host(IPAddress.Parse("10.77.0.10"), IPAddress.Parse("fd77::10")), "kw0", "/etc/keepwire/alpha.key", 25)
            {
                Interfaces = new HubInterfaceDictionary([KeyValuePair.Create("hub", "kw0")]),
            },
            alpha);
        var bravo = config.FindSite("bravo")!;
        Assert.Equal(
            new SiteNode("bravo", WireGuardKey.Parse("RwieM3xB155yFPuEgJEfkRPchwcCrSmJhsb/yYIRexI="), 100, SiteMode.Agent,
                TunnelAddresses.Host(IPAddress.Parse("10.77.0.20"), IPAddress.Parse("fd77::20")), "kw-hub", "/etc/keepwire/bravo.key", 15)
            {
                Interfaces = new HubInterfaceDictionary([KeyValuePair.Create("hub", "kw-hub")]),
            },
            bravo);
        var charlie = config.FindSite("charlie")!;
        Assert.Equal(SiteMode.Snat, charlie.Mode);
        Assert.Equal(50, charlie.Priority);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.11"), IPAddress.Parse("fd77::11")), charlie.Tunnel);

        Assert.Equal(["web", "game", "mail", "files"], config.Services.Select(s => s.Name));
        var files = config.FindService("files")!;
        Assert.Equal(new SiteBackend(IPAddress.Parse("192.168.50.10"), null, false), files.BackendAt("bravo"));
        Assert.Null(files.BackendAt("alpha"));
        var web = config.FindService("web")!;
        Assert.Equal([IPAddress.Parse("203.0.113.80"), IPAddress.Parse("2001:db8::80")], web.Vips);
        Assert.Equal([new PortRule(TransportProtocol.Tcp, 80, 80, null), new PortRule(TransportProtocol.Tcp, 443, 443, null)], web.Ports);
        Assert.Equal(["alpha", "bravo"], web.Sites);
        var game = config.FindService("game")!;
        Assert.Equal([new PortRule(TransportProtocol.Udp, 27015, 27030, null), new PortRule(TransportProtocol.Tcp, 8443, 8443, 443)], game.Ports);
        Assert.Equal(["alpha", "bravo", "charlie"], game.Sites);

        Assert.Equal(ServicePolicy.Failover, web.Policy);
        Assert.Equal(FailoverPolicyOptions.Default with { PreemptDelay = TimeSpan.FromSeconds(30) }, web.Failover);
        Assert.Equal(
            [
                // The example writes every default out; a written fast_interval is kept as written.
                new CheckDefinition("http", CheckKind.Http) { Port = 80, Path = "/healthz", Host = "www.example.net", FastInterval = CheckDefinition.DefaultFastInterval },
                new CheckDefinition("tls", CheckKind.Tcp) { Port = 443 },
            ],
            web.Checks);

        Assert.Equal(FailoverPolicyOptions.Default with { NoHealthySite = NoHealthySiteBehavior.LastResort("charlie") }, game.Failover);
        var query = Assert.Single(game.Checks);
        Assert.Equal(["/usr/local/bin/query-game-server", "--port", "27015"], query.Command);
        Assert.Equal(
            new CheckDefinition("exec", CheckKind.Exec) { Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromMilliseconds(500), Fall = 3, Command = query.Command },
            query);

        var mail = config.FindService("mail")!;
        Assert.Equal(ServicePolicy.Manual, mail.Policy);
        Assert.Equal(new CheckDefinition("tcp", CheckKind.Tcp) { Port = 25 }, Assert.Single(mail.Checks));
    }

    [Fact]
    public void Omitted_keys_take_their_documented_defaults()
    {
        var yaml = """
            hubs:
              - name: hub
                endpoint: "[2001:db8::1]:443"
                public_key: WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=
                tunnel: { ipv4: 10.77.0.1/24 }
            sites:
              - name: alpha
                public_key: ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=
                private_key_file: keys/alpha.key
            """;

        var result = ConfigLoader.Parse(yaml, "/srv/kw/cluster.yaml");

        Assert.Empty(result.Errors);
        var config = result.Config!;
        var hub = Assert.Single(config.Hubs);
        Assert.Equal(new HostEndpoint("2001:db8::1", 443), hub.Endpoint);
        Assert.Equal("[2001:db8::1]:443", hub.Endpoint.ToString());
        Assert.Equal(443, hub.ListenPort);
        Assert.Equal("kw0", hub.Interface);
        Assert.Null(hub.PublicInterface);
        Assert.Equal("/etc/keepwire/hub.key", hub.PrivateKeyFile);
        Assert.Empty(hub.AllowForwardFrom);
        Assert.Null(hub.Tunnel.IPv6);

        var alpha = Assert.Single(config.Sites);
        Assert.Equal(100, alpha.Priority);
        Assert.Equal(SiteMode.Agent, alpha.Mode);
        Assert.Equal("kw0", alpha.Interface);
        Assert.Equal(25, alpha.PersistentKeepalive);
        Assert.Equal("/srv/kw/keys/alpha.key", alpha.PrivateKeyFile);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.10"), null), alpha.Tunnel);
        Assert.Empty(alpha.LocalChecks);
        Assert.Empty(config.Services);
    }

    [Fact]
    public void Local_checks_parse_with_their_names_commands_and_timeouts()
    {
        var yaml = """
            hubs:
              - name: hub
                endpoint: hub.example.net:51820
                public_key: WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=
                tunnel: { ipv4: 10.77.0.1/24 }
            sites:
              - name: alpha
                public_key: ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=
                local_checks:
                  - { name: db-replica, command: ["/usr/local/bin/check-replica", "--max-lag", "10"], timeout: 500ms }
                  - command: [test, "!", -e, /run/maintenance]
            """;

        var result = ConfigLoader.Parse(yaml, "cluster.yaml");

        Assert.Empty(result.Errors);
        var checks = Assert.Single(result.Config!.Sites).LocalChecks;
        Assert.Equal(2, checks.Count);
        Assert.Equal(("db-replica", TimeSpan.FromMilliseconds(500)), (checks[0].Name, checks[0].Timeout));
        Assert.Equal(["/usr/local/bin/check-replica", "--max-lag", "10"], checks[0].Command);
        Assert.Equal(("local2", TimeSpan.FromSeconds(2)), (checks[1].Name, checks[1].Timeout));
        Assert.Equal(["test", "!", "-e", "/run/maintenance"], checks[1].Command);
    }

    [Fact]
    public void Allocation_skips_explicit_addresses_anywhere_in_the_file_and_keeps_declaration_order()
    {
        // gamma's explicit .11 is declared after bravo but is still never handed out to bravo.
        var yaml = """
            hubs:
              - name: hub
                endpoint: 192.0.2.1:51820
                public_key: WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=
                tunnel: { ipv4: 10.77.0.1/24, ipv6: "fd77::1/64" }
            sites:
              - name: alpha
                public_key: ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=
              - name: bravo
                public_key: RwieM3xB155yFPuEgJEfkRPchwcCrSmJhsb/yYIRexI=
              - name: gamma
                public_key: ruyyMh2Z9t694rLWbe7xjLWwWFUYEBexNX8m2LpmJx4=
                tunnel: { ipv4: 10.77.0.11, ipv6: "fd77::10" }
              - name: delta
                public_key: Dii6WWVF1ct3QCm/RRWzJ44s2b2kTauP0g9E+ivXowM=
                tunnel: { ipv4: 10.77.0.2 }
            """;

        var result = ConfigLoader.Parse(yaml, "cluster.yaml");

        Assert.Empty(result.Errors);
        var tunnels = result.Config!.Sites.ToDictionary(s => s.Name, s => s.Tunnel);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.10"), IPAddress.Parse("fd77::11")), tunnels["alpha"]);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.12"), IPAddress.Parse("fd77::12")), tunnels["bravo"]);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.11"), IPAddress.Parse("fd77::10")), tunnels["gamma"]);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::13")), tunnels["delta"]);
    }

    [Fact]
    public void Unquoted_IPv6_addresses_and_port_mappings_in_flow_lists_parse()
    {
        var yaml = ConfigText.Base.Replace(13, "    vips: [2001:db8::80, 203.0.113.80]").Replace(14, "    ports: [tcp/8080:80, udp/5000-5010]").ToString();

        var result = ConfigLoader.Parse(yaml, "cluster.yaml");

        Assert.Empty(result.Errors);
        var web = Assert.Single(result.Config!.Services);
        Assert.Equal([IPAddress.Parse("2001:db8::80"), IPAddress.Parse("203.0.113.80")], web.Vips);
        Assert.Equal([new PortRule(TransportProtocol.Tcp, 8080, 8080, 80), new PortRule(TransportProtocol.Udp, 5000, 5010, null)], web.Ports);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "examples", "keepwire.yaml")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root (with examples/keepwire.yaml) not found");
    }
}
