using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// Three namespaces with unique names: a hub, a site and a client.
/// <code>
///   client (198.51.100.2) ── hub (198.51.100.1 | 203.0.113.1) ── site (203.0.113.2)
///                                                                  └ default via 203.0.113.66 on a dead-end veth
/// </code>
/// The site's default route leads nowhere, so anything it sends to a client that does not go back
/// through the tunnel is lost: a completed connection proves the return path. Everything is removed in
/// <see cref="DisposeAsync"/>, even after a failure: interfaces first (that stops wireguard-go), then any
/// wireguard-go still running under our names (by pid), sockets, namespaces, /etc/netns files, keys.
/// </summary>
internal sealed class WireGuardLab : IAsyncLifetime
{
    public const int HubPort = 51820;
    public static readonly IPAddress HubUnderlay = IPAddress.Parse("203.0.113.1");
    public static readonly IPAddress HubTunnel4 = IPAddress.Parse("10.77.0.1");
    public static readonly IPAddress HubTunnel6 = IPAddress.Parse("fd77::1");
    public static readonly IPAddress SiteTunnel4 = IPAddress.Parse("10.77.0.2");
    public static readonly IPAddress SiteTunnel6 = IPAddress.Parse("fd77::2");
    public static readonly IPAddress Client = IPAddress.Parse("198.51.100.2");

    private readonly CommandRunner _host = new();
    private readonly string _prefix = "kw" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..6].ToLowerInvariant();
    private readonly string _keyDirectory;
    private readonly NamespaceLabTools _tools = new();

    public WireGuardLab()
    {
        HubNamespace = _prefix + "-hub";
        SiteNamespace = _prefix + "-site";
        ClientNamespace = _prefix + "-cli";
        HubInterface = _prefix + "h";
        SiteInterface = _prefix + "s";
        PublicInterface = _prefix + "hc";
        HubHostName = $"hub-{_prefix}.test";
        _keyDirectory = Path.Combine(Path.GetTempPath(), "keepwire-" + _prefix);
        HubRunner = new NetnsTestRunner(_host, HubNamespace);
        SiteRunner = new NetnsTestRunner(_host, SiteNamespace);
        ClientRunner = new NetnsTestRunner(_host, ClientNamespace);
    }

    public string HubNamespace { get; }
    public string SiteNamespace { get; }
    public string ClientNamespace { get; }
    public string HubInterface { get; }
    public string SiteInterface { get; }
    public string PublicInterface { get; }
    public string HubUnderlayInterface => _prefix + "hs";
    public string HubHostName { get; }
    public NetnsTestRunner HubRunner { get; }
    public NetnsTestRunner SiteRunner { get; }
    public NetnsTestRunner ClientRunner { get; }
    public ClusterConfig Config { get; private set; } = null!;
    public HubNode Hub => Config.Hubs[0];
    public SiteNode Site => Config.Sites[0];

    public IWireGuard HubWireGuard => new WireGuardCli(HubRunner, NullLogger<WireGuardCli>.Instance);
    public IWireGuard SiteWireGuard => new WireGuardCli(SiteRunner, NullLogger<WireGuardCli>.Instance);
    public IRouting HubRouting => new RoutingCli(HubRunner);
    public IRouting SiteRouting => new RoutingCli(SiteRunner);

    public HubNetworkReconciler NewHubReconciler() =>
        new(HubWireGuard, HubRouting, new Sysctl(HubRunner), NullLogger<HubNetworkReconciler>.Instance);

    public SiteNetworkReconciler NewSiteReconciler() =>
        new(SiteWireGuard, SiteRouting, new Sysctl(SiteRunner), new GetentHostResolver(SiteRunner), new NftablesCli(SiteRunner), TimeProvider.System, NullLogger<SiteNetworkReconciler>.Instance);

    public async Task InitializeAsync()
    {
        foreach (var ns in new[] { HubNamespace, SiteNamespace, ClientNamespace })
            await _tools.AddNamespaceAsync(ns);

        // hub <-> site: the "internet" the tunnel runs over.
        await _tools.VethAsync(HubNamespace, HubUnderlayInterface, "203.0.113.1/26", SiteNamespace, _prefix + "sh", "203.0.113.2/26");
        // client <-> hub: the hub's public side; the client routes everything through the hub.
        await _tools.VethAsync(HubNamespace, PublicInterface, "198.51.100.1/24", ClientNamespace, _prefix + "ch", "198.51.100.2/24");
        await Host("ip", "-n", ClientNamespace, "route", "add", "default", "via", "198.51.100.1");
        // The site's default route: a next hop on a dead-end link that never answers.
        await Host("ip", "-n", SiteNamespace, "link", "add", _prefix + "d0", "type", "veth", "peer", "name", _prefix + "d1");
        await Host("ip", "-n", SiteNamespace, "addr", "add", "203.0.113.65/26", "dev", _prefix + "d0");
        await Host("ip", "-n", SiteNamespace, "link", "set", _prefix + "d0", "up");
        await Host("ip", "-n", SiteNamespace, "link", "set", _prefix + "d1", "up");
        await Host("ip", "-n", SiteNamespace, "route", "add", "default", "via", "203.0.113.66");
        // Strict reverse-path filtering everywhere, as many distributions ship it: the reconciler must loosen it where needed.
        await Host("ip", "netns", "exec", SiteNamespace, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1");

        // The site finds the hub by name, through its own /etc/hosts (ip netns exec bind-mounts /etc/netns/NS/hosts).
        Directory.CreateDirectory(NetnsEtc);
        await PointHubNameAtAsync(HubUnderlay);

        Directory.CreateDirectory(_keyDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (hubKeyFile, hubPublic) = await _tools.GenerateKeyAsync(_keyDirectory, "hub");
        var (siteKeyFile, sitePublic) = await _tools.GenerateKeyAsync(_keyDirectory, "site");

        var hub = new HubNode(
            "hub1", new HostEndpoint(HubHostName, HubPort), HubPort, HubInterface, PublicInterface, hubPublic, hubKeyFile,
            new TunnelAddresses(HubTunnel4, 24, HubTunnel6, 64), []);
        var site = new SiteNode("a", sitePublic, 100, SiteMode.Agent, TunnelAddresses.Host(SiteTunnel4, SiteTunnel6), SiteInterface, siteKeyFile, 25);
        Config = new ClusterConfig(
            "lab.yaml", [hub], [site],
            [new ServiceConfig("web", [IPAddress.Parse("198.51.100.10"), IPAddress.Parse("2001:db8:77::10")], [new PortRule(TransportProtocol.Tcp, 80, 80, null)], ["a"])]);
    }

    /// <summary>(Re)writes the site's /etc/netns/NS/hosts so the hub's name resolves to <paramref name="address"/>.</summary>
    public Task PointHubNameAtAsync(IPAddress address) =>
        File.WriteAllTextAsync(Path.Combine(NetnsEtc, "hosts"), $"127.0.0.1 localhost\n{address} {HubHostName}\n");

    public ClusterConfig WithVips(params IPAddress[] vips) =>
        Config with { Services = [Config.Services[0] with { Vips = vips }] };

    private string NetnsEtc => Path.Combine("/etc/netns", SiteNamespace);

    /// <summary>Pids of wireguard-go processes serving <paramref name="interfaceName"/> (unique to this lab).</summary>
    public Task<IReadOnlyList<int>> WireGuardGoPidsAsync(string interfaceName) => _tools.WireGuardGoPidsAsync(interfaceName);

    /// <summary>Pings until one answer arrives or the timeout passes (the first ping may wait for a handshake).</summary>
    public static async Task<bool> PingAsync(ICommandRunner from, IPAddress to, TimeSpan? timeout = null) =>
        await Eventually(async () => (await from.RunAsync("ping", ["-n", "-c", "1", "-W", "1", to.ToString()])).Succeeded, timeout ?? TimeSpan.FromSeconds(30));

    public static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
                return true;
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(250);
        }
    }

    /// <summary>Starts a long-running program in a namespace; it is killed (by pid) at disposal.</summary>
    public CapturedProcess StartInNamespace(string ns, params string[] arguments) => _tools.StartInNamespace(ns, arguments);

    public async Task DisposeAsync()
    {
        await _tools.RemoveAsync([(HubNamespace, HubInterface), (SiteNamespace, SiteInterface)], [HubNamespace, SiteNamespace, ClientNamespace]);
        if (Directory.Exists(NetnsEtc))
            Directory.Delete(NetnsEtc, recursive: true);
        if (Directory.Exists(_keyDirectory))
            Directory.Delete(_keyDirectory, recursive: true);
    }

    private Task<CommandResult> Host(string program, params string[] arguments) => _host.RunCheckedAsync(program, arguments);
}
