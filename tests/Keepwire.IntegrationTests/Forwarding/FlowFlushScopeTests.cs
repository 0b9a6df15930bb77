using System.Net;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Nftables;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;
using static Keepwire.IntegrationTests.Forwarding.ForwardingLab;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>
/// The conntrack flush of an unplanned switch, on real flows through the rendered table: deleting
/// one service's flows to a site leaves the other services' flows to that site (same VIPs, same or
/// other protocol) and the same service's flows to another site in place.
/// </summary>
[Collection("namespaces")]
public sealed partial class FlowFlushScopeTests : IAsyncLifetime
{
    private static readonly WireGuardKey AnyKey = WireGuardKey.Parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");

    private static readonly ServiceConfig Web = Service("web", new(TransportProtocol.Tcp, 80, 80, null), new(TransportProtocol.Tcp, 9000, 9100, null));

    /// <summary>Shares web's VIPs and protocol: the flush must tell them apart by port.</summary>
    private static readonly ServiceConfig Admin = Service("admin", new PortRule(TransportProtocol.Tcp, 8080, 8080, 80));

    /// <summary>Alone on UDP: its flush names no port, and must not touch TCP.</summary>
    private static readonly ServiceConfig Echo = Service("echo", new PortRule(TransportProtocol.Udp, 7, 7, null));

    private readonly NamespaceScope _scope = new();
    private ForwardingLab _lab = null!;
    private ForwardingReconciler _reconciler = null!;
    private ClusterConfig _config = null!;

    public async Task InitializeAsync()
    {
        _lab = await ForwardingLab.CreateAsync(_scope);
        _reconciler = new ForwardingReconciler(new NftablesCli(_lab.Hub), NullLogger<ForwardingReconciler>.Instance);
        var hub = new HubNode(
            "hub", new HostEndpoint("hub.test", 51820), 51820, _lab.TunnelInterface, null, AnyKey, "/nonexistent/hub.key",
            new TunnelAddresses(IPAddress.Parse("10.77.0.1"), 24, IPAddress.Parse("fd77::1"), 64), []);
        _config = new ClusterConfig("flows.yaml", [hub], [Site("b1", Backend1V4, Backend1V6), Site("b2", Backend2V4, Backend2V6)], [Web, Admin, Echo]);
        foreach (var backend in new[] { "b1", "b2" })
        {
            await _lab.ListenAsync(backend, 80);
            await _lab.ListenAsync(backend, 9050);
        }
    }

    public Task DisposeAsync() => _scope.CleanUpAsync();

    [Fact]
    public async Task Deleting_a_services_flows_to_a_site_leaves_other_services_and_other_sites_alone()
    {
        await ServeAsync(web: "b1");
        await ConnectCheckedAsync(Vip4, 80, "b1");
        await ConnectCheckedAsync(Vip4, 9050, "b1");
        await ConnectCheckedAsync(Vip6, 80, "b1");
        await ConnectCheckedAsync(Vip4, 8080, "b1");
        await ConnectCheckedAsync(Vip6, 8080, "b1");
        await SendDatagramAsync(Vip4);
        await SendDatagramAsync(Vip6);
        // web moves to b2 while admin and echo stay on b1: a web flow to b2 beside the ones to b1.
        await ServeAsync(web: "b2");
        await ConnectCheckedAsync(Vip4, 9050, "b2");

        Assert.Equal(["tcp 198.51.100.10:80", "tcp 198.51.100.10:8080", "tcp 198.51.100.10:9050", "udp 198.51.100.10:7"], await FlowsAsync(Backend1V4));
        Assert.Equal(["tcp 2001:db8:2::10:80", "tcp 2001:db8:2::10:8080", "udp 2001:db8:2::10:7"], await FlowsAsync(Backend1V6));

        // web failed at b1: its flows to b1 go, admin's and echo's stay, and so does web's flow to b2.
        Assert.Equal(3, await FlushAsync(Web, "b1"));
        Assert.Equal(["tcp 198.51.100.10:8080", "udp 198.51.100.10:7"], await FlowsAsync(Backend1V4));
        Assert.Equal(["tcp 2001:db8:2::10:8080", "udp 2001:db8:2::10:7"], await FlowsAsync(Backend1V6));
        Assert.Equal(["tcp 198.51.100.10:9050"], await FlowsAsync(Backend2V4));

        // A (false) echo failover away from b1: only UDP goes; admin's TCP flows stay.
        Assert.Equal(2, await FlushAsync(Echo, "b1"));
        Assert.Equal(["tcp 198.51.100.10:8080"], await FlowsAsync(Backend1V4));
        Assert.Equal(["tcp 2001:db8:2::10:8080"], await FlowsAsync(Backend1V6));

        Assert.Equal(0, await FlushAsync(Echo, "b1"));
        Assert.Equal(2, await FlushAsync(Admin, "b1"));
        Assert.Equal(["tcp 198.51.100.10:9050"], await FlowsAsync(Backend2V4));
    }

    /// <summary>Points web at <paramref name="web"/>, admin and echo at b1.</summary>
    private Task ServeAsync(string web) =>
        _reconciler.ReconcileAsync(HubDataPlaneBuilder.Build(_config, _config.Hubs[0], new Dictionary<string, string> { ["web"] = web, ["admin"] = "b1", ["echo"] = "b1" }));

    private async Task<int> FlushAsync(ServiceConfig service, string site)
    {
        var conntrack = new ConntrackCli(_lab.Hub);
        var deleted = 0;
        foreach (var selector in ServiceFlowSelectors.For(_config.Services, service, _config.FindSite(site)!.Tunnel))
            deleted += await conntrack.DeleteFlowsAsync(selector);
        return deleted;
    }

    private async Task ConnectCheckedAsync(string vip, int port, string expectedBackend) =>
        Assert.Equal(expectedBackend, (await ConnectAsync(_lab.Client, vip, port))?.Backend);

    /// <summary>
    /// One datagram to the VIP's UDP port 7. Nothing listens there at the backend: the hub's DNAT
    /// entry is what matters, and it stays (unreplied) for 30 s.
    /// </summary>
    private async Task SendDatagramAsync(string vip)
    {
        var target = vip.Contains(':') ? $"[{vip}]" : vip;
        var sent = await _lab.Client.RunAsync("socat", ["-u", "-", $"UDP:{target}:7"], "ping\n");
        Assert.True(sent.Succeeded, $"socat to {vip}:7 failed: {sent.StandardError}");
    }

    /// <summary>The hub's conntrack entries replying from <paramref name="backend"/>, as "protocol VIP:public port", sorted (closed TCP flows linger in TIME_WAIT).</summary>
    private async Task<List<string>> FlowsAsync(IPAddress backend)
    {
        var family = backend.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        var listing = await _lab.Hub.RunAsync("conntrack", ["-L", "-f", family, "--reply-src", backend.ToString()]);
        Assert.True(listing.Succeeded, $"conntrack -L failed: {listing.StandardError}");
        return [.. listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => OriginalDirection().Match(line))
            .Select(m => $"{m.Groups["protocol"].Value} {m.Groups["dst"].Value}:{m.Groups["dport"].Value}")
            .Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"^(?<protocol>\w+)\s.*?\bdst=(?<dst>\S+) sport=\d+ dport=(?<dport>\d+)")]
    private static partial Regex OriginalDirection();

    private static ServiceConfig Service(string name, params PortRule[] ports) =>
        new(name, [IPAddress.Parse(Vip4), IPAddress.Parse(Vip6)], ports, ["b1", "b2"]);

    private static SiteNode Site(string name, IPAddress v4, IPAddress v6) =>
        new(name, AnyKey, 100, SiteMode.Agent, TunnelAddresses.Host(v4, v6), "kw0", $"/nonexistent/{name}.key", 25);
}
