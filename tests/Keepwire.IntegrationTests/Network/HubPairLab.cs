using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// Two hubs, one site dual-homed to both, a client behind each hub and a container behind the site, in
/// namespaces with unique names:
/// <code>
///   cli1 (198.51.100.2) ── hub1 (198.51.100.1 | 203.0.113.1) ──┐
///                                                              site (203.0.113.2 | 203.0.113.6 | 172.31.255.1) ── ctr (172.31.255.2)
///   cli2 (198.51.100.6) ── hub2 (198.51.100.5 | 203.0.113.5) ──┘  └ default via 203.0.113.66 on a dead-end veth
/// </code>
/// Neither hub can reach the other hub's client, and the site's default route leads nowhere: a connection from
/// cli2 that completes proves its replies went back through hub2. The config is real YAML, loaded by the
/// loader. Everything is removed in <see cref="DisposeAsync"/>, even after a failure.
/// </summary>
internal sealed class HubPairLab : IAsyncLifetime
{
    public const int SyncPort = 51822;
    public static readonly IPAddress SiteTunnel4 = IPAddress.Parse("10.77.0.10");
    public static readonly IPAddress SiteTunnel6 = IPAddress.Parse("fd77::10");
    public static readonly IPAddress[] HubTunnel4 = [IPAddress.Parse("10.77.0.1"), IPAddress.Parse("10.77.0.2")];
    public static readonly IPAddress[] HubTunnel6 = [IPAddress.Parse("fd77::1"), IPAddress.Parse("fd77::2")];
    public static readonly IPAddress[] HubPublic = [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.5")];
    public static readonly IPAddress[] Clients = [IPAddress.Parse("198.51.100.2"), IPAddress.Parse("198.51.100.6")];
    public static readonly IPAddress Container = IPAddress.Parse("172.31.255.2");

    private readonly NamespaceLabTools _tools = new();
    private readonly CommandRunner _host = new();
    private readonly string _prefix = "kw" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant();

    public HubPairLab()
    {
        Directory = Path.Combine(Path.GetTempPath(), "keepwire-" + _prefix);
        HubNamespaces = [_prefix + "-hub1", _prefix + "-hub2"];
        ClientNamespaces = [_prefix + "-cli1", _prefix + "-cli2"];
        HubInterfaces = [_prefix + "h1", _prefix + "h2"];
        PublicInterfaces = [_prefix + "p1", _prefix + "p2"];
        SiteInterfaces = [_prefix + "a1", _prefix + "a2"];
        HubRunners = [.. HubNamespaces.Select(ns => new NetnsTestRunner(_host, ns))];
        ClientRunners = [.. ClientNamespaces.Select(ns => new NetnsTestRunner(_host, ns))];
        SiteRunner = new NetnsTestRunner(_host, SiteNamespace);
    }

    /// <summary>Keys, the config file and the agent's control socket live here.</summary>
    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "cluster.yaml");
    public string SiteNamespace => _prefix + "-site";
    public string ContainerNamespace => _prefix + "-ctr";
    public string[] HubNamespaces { get; }
    public string[] ClientNamespaces { get; }
    public string[] HubInterfaces { get; }
    public string[] PublicInterfaces { get; }
    public string[] SiteInterfaces { get; }
    public NetnsTestRunner[] HubRunners { get; }
    public NetnsTestRunner[] ClientRunners { get; }
    public NetnsTestRunner SiteRunner { get; }
    public ClusterConfig Config { get; private set; } = null!;
    public SiteNode Site => Config.Sites[0];
    public IRouting SiteRouting => new RoutingCli(SiteRunner);
    public IWireGuard SiteWireGuard => new WireGuardCli(SiteRunner, NullLogger<WireGuardCli>.Instance);

    private IEnumerable<string> AllNamespaces => [.. HubNamespaces, .. ClientNamespaces, SiteNamespace, ContainerNamespace];

    public HubNetworkReconciler NewHubReconciler(int hub) =>
        new(new WireGuardCli(HubRunners[hub], NullLogger<WireGuardCli>.Instance), new RoutingCli(HubRunners[hub]), new Sysctl(HubRunners[hub]), NullLogger<HubNetworkReconciler>.Instance);

    public SiteNetworkReconciler NewSiteReconciler() =>
        new(SiteWireGuard, SiteRouting, new Sysctl(SiteRunner), new GetentHostResolver(SiteRunner), new NftablesCli(SiteRunner), TimeProvider.System,
            NullLogger<SiteNetworkReconciler>.Instance);

    public async Task InitializeAsync()
    {
        foreach (var ns in AllNamespaces)
            await _tools.AddNamespaceAsync(ns);

        for (var i = 0; i < 2; i++)
        {
            // hub <-> site underlay (each hub on its own link), and the hub's public side with its client.
            await _tools.VethAsync(HubNamespaces[i], $"{_prefix}u{i + 1}", $"203.0.113.{1 + (4 * i)}/30", SiteNamespace, $"{_prefix}s{i + 1}", $"203.0.113.{2 + (4 * i)}/30");
            await _tools.VethAsync(HubNamespaces[i], PublicInterfaces[i], $"{HubPublic[i]}/30", ClientNamespaces[i], $"{_prefix}c{i + 1}", $"{Clients[i]}/30");
            await Host("ip", "-n", ClientNamespaces[i], "route", "add", "default", "via", HubPublic[i].ToString());
        }

        // The site's default route leads to a dead end, and its container sits behind it on its own link.
        await Host("ip", "-n", SiteNamespace, "link", "add", _prefix + "d0", "type", "veth", "peer", "name", _prefix + "d1");
        await Host("ip", "-n", SiteNamespace, "addr", "add", "203.0.113.65/26", "dev", _prefix + "d0");
        await Host("ip", "-n", SiteNamespace, "link", "set", _prefix + "d0", "up");
        await Host("ip", "-n", SiteNamespace, "link", "set", _prefix + "d1", "up");
        await Host("ip", "-n", SiteNamespace, "route", "add", "default", "via", "203.0.113.66");
        await _tools.VethAsync(SiteNamespace, _prefix + "k0", "172.31.255.1/30", ContainerNamespace, _prefix + "k1", $"{Container}/30");
        await Host("ip", "-n", ContainerNamespace, "route", "add", "default", "via", "172.31.255.1");
        await Host("ip", "netns", "exec", SiteNamespace, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1", "net.ipv4.ip_forward=1");

        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var keys = new Dictionary<string, WireGuardKey>();
        foreach (var node in new[] { "hub1", "hub2", "alpha" })
            keys[node] = (await _tools.GenerateKeyAsync(Directory, node)).PublicKey;
        await File.WriteAllTextAsync(ConfigPath, ConfigYaml(keys));
        Config = ConfigLoader.LoadValid(ConfigPath);
    }

    private string ConfigYaml(Dictionary<string, WireGuardKey> keys) => $"""
        hubs:
          - name: hub1
            endpoint: 203.0.113.1:51820
            interface: {HubInterfaces[0]}
            public_interface: {PublicInterfaces[0]}
            public_key: {keys["hub1"]}
            private_key_file: hub1.key
            tunnel: {"{"} ipv4: 10.77.0.1/24, ipv6: fd77::1/64 {"}"}
          - name: hub2
            endpoint: 203.0.113.5:51820
            interface: {HubInterfaces[1]}
            public_interface: {PublicInterfaces[1]}
            public_key: {keys["hub2"]}
            private_key_file: hub2.key
            tunnel: {"{"} ipv4: 10.77.0.2/24, ipv6: fd77::2/64 {"}"}
        hub_pair:
          sync_port: {SyncPort}
        sites:
          - name: alpha
            public_key: {keys["alpha"]}
            private_key_file: alpha.key
            interfaces: {"{"} hub1: {SiteInterfaces[0]}, hub2: {SiteInterfaces[1]} {"}"}
            tunnel: {"{"} ipv4: {SiteTunnel4}, ipv6: {SiteTunnel6} {"}"}
        """;

    /// <summary>Each hub DNATs <paramref name="ports"/> on its public address to the site's tunnel address, as the forwarding table would.</summary>
    public async Task ForwardOnHubsAsync(params int[] ports)
    {
        for (var i = 0; i < 2; i++)
            await HubRunners[i].RunCheckedAsync("nft", ["-f", "-"], DnatTable([PublicInterfaces[i]], ports, SiteTunnel4));
    }

    /// <summary>The site DNATs <paramref name="port"/> arriving through either tunnel to the container, as Docker would.</summary>
    public Task ForwardOnSiteToContainerAsync(int port) =>
        SiteRunner.RunCheckedAsync("nft", ["-f", "-"], DnatTable(SiteInterfaces, [port], Container));

    private static string DnatTable(IEnumerable<string> inputInterfaces, int[] ports, IPAddress to) => $$"""
        table ip kwtest {
            chain pre {
                type nat hook prerouting priority dstnat; policy accept;
                iifname { {{string.Join(", ", inputInterfaces.Select(name => $"\"{name}\""))}} } tcp dport { {{string.Join(", ", ports)}} } dnat to {{to}}
            }
        }

        """;

    public Task<IReadOnlyList<int>> WireGuardGoPidsAsync(string interfaceName) => _tools.WireGuardGoPidsAsync(interfaceName);

    public CapturedProcess StartInNamespace(string ns, params string[] arguments) => _tools.StartInNamespace(ns, arguments);

    public async Task DisposeAsync()
    {
        await _tools.RemoveAsync(
            [(HubNamespaces[0], HubInterfaces[0]), (HubNamespaces[1], HubInterfaces[1]), (SiteNamespace, SiteInterfaces[0]), (SiteNamespace, SiteInterfaces[1])],
            AllNamespaces);
        if (System.IO.Directory.Exists(Directory))
            System.IO.Directory.Delete(Directory, recursive: true);
    }

    private Task<CommandResult> Host(string program, params string[] arguments) => _tools.Host(program, arguments);
}
