using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Reconciliation;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// The hub and site reconcilers against real namespaces, real wireguard-go and real iproute2:
/// the tunnel works both ways, passes are idempotent, a dead wireguard-go is brought back, the site
/// finds the hub by name, client addresses survive, and teardown leaves nothing behind.
/// </summary>
[Collection("namespaces")]
public sealed class HubAndSiteNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly WireGuardLab _lab = new();
    private readonly HubNetworkReconciler _hub;
    private readonly SiteNetworkReconciler _site;

    public HubAndSiteNetworkTests()
    {
        _hub = _lab.NewHubReconciler();
        _site = _lab.NewSiteReconciler();
    }

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private async Task ReconcileBothAsync()
    {
        await _hub.ReconcileAsync(_lab.Config, _lab.Hub);
        await _site.ReconcileAsync(_lab.Config, _lab.Site);
    }

    [Fact]
    public async Task Tunnel_carries_both_families_both_ways()
    {
        Assert.True(await _hub.ReconcileAsync(_lab.Config, _lab.Hub));
        Assert.True(await _site.ReconcileAsync(_lab.Config, _lab.Site));

        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4), "site -> hub over IPv4 in the tunnel");
        Assert.True(await WireGuardLab.PingAsync(_lab.HubRunner, WireGuardLab.SiteTunnel4), "hub -> site over IPv4 in the tunnel");
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel6), "site -> hub over IPv6 in the tunnel");
        Assert.True(await WireGuardLab.PingAsync(_lab.HubRunner, WireGuardLab.SiteTunnel6), "hub -> site over IPv6 in the tunnel");

        // The site resolved the hub's name through its namespace's /etc/hosts; the hub learned the site's endpoint.
        var sitePeer = Assert.Single((await _lab.SiteWireGuard.ReadAsync(_lab.SiteInterface))!.Peers);
        Assert.Equal(new IPEndPoint(WireGuardLab.HubUnderlay, WireGuardLab.HubPort), sitePeer.Endpoint);
        Assert.NotNull(sitePeer.LatestHandshake);
        var hubPeer = Assert.Single((await _lab.HubWireGuard.ReadAsync(_lab.HubInterface))!.Peers);
        Assert.Equal(IPAddress.Parse("203.0.113.2"), hubPeer.Endpoint?.Address);
        Assert.Equal(_lab.Site.PublicKey, hubPeer.PublicKey);
    }

    [Fact]
    public async Task Second_pass_changes_nothing()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));
        var before = await SnapshotAsync();

        Assert.False(await _hub.ReconcileAsync(_lab.Config, _lab.Hub), "hub pass reported a change");
        Assert.False(await _site.ReconcileAsync(_lab.Config, _lab.Site), "site pass reported a change");

        Assert.Equal(before, await SnapshotAsync());
        Assert.NotEmpty(before.HubWireGuardGoPids);
    }

    /// <summary>
    /// The hub caps the unresolved-neighbour queue of the interface WireGuard sends by, in both families, so one site
    /// whose endpoint cannot be resolved cannot fill wireguard-go's shared socket (docs/architecture.md, "One site's
    /// unreachable endpoint"). It only lowers: an operator's smaller value stays, and a pass with nothing to lower
    /// changes nothing.
    /// </summary>
    [Fact]
    public async Task The_hub_caps_the_unresolved_neighbour_queue_of_its_public_interface_in_both_families()
    {
        var sysctl = new Sysctl(_lab.HubRunner);
        var ipv4 = SysctlKeys.UnresolvedQueueBytes(_lab.PublicInterface, System.Net.Sockets.AddressFamily.InterNetwork);
        var ipv6 = SysctlKeys.UnresolvedQueueBytes(_lab.PublicInterface, System.Net.Sockets.AddressFamily.InterNetworkV6);
        var cap = HubNetworkReconciler.NeighbourQueues.MaxUnresolvedQueueBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await _hub.ReconcileAsync(_lab.Config, _lab.Hub);
        Assert.Equal(cap, await sysctl.ReadAsync(ipv4));
        Assert.Equal(cap, await sysctl.ReadAsync(ipv6));
        Assert.False(await _hub.ReconcileAsync(_lab.Config, _lab.Hub), "a second pass reported a change");

        await sysctl.WriteAsync(ipv4, "4096");
        await sysctl.WriteAsync(ipv6, "212992");
        Assert.True(await _hub.ReconcileAsync(_lab.Config, _lab.Hub), "the raised IPv6 queue was not lowered");
        Assert.Equal("4096", await sysctl.ReadAsync(ipv4));
        Assert.Equal(cap, await sysctl.ReadAsync(ipv6));
    }

    [Fact]
    public async Task A_new_reconciler_adopts_what_the_previous_one_left()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));
        var before = await SnapshotAsync();

        // A restarted daemon: fresh reconcilers, no memory of the previous pass.
        Assert.False(await _lab.NewHubReconciler().ReconcileAsync(_lab.Config, _lab.Hub));
        Assert.False(await _lab.NewSiteReconciler().ReconcileAsync(_lab.Config, _lab.Site));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Killed_wireguard_go_is_replaced_by_the_next_pass()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));
        var hubPid = Assert.Single(await _lab.WireGuardGoPidsAsync(_lab.HubInterface));
        var sitePid = Assert.Single(await _lab.WireGuardGoPidsAsync(_lab.SiteInterface));

        await new CommandRunner().RunCheckedAsync("kill", ["-9", hubPid.ToString(), sitePid.ToString()]);
        Assert.True(await WireGuardLab.Eventually(async () => !await _lab.HubRouting.LinkExistsAsync(_lab.HubInterface), Generous));
        Assert.True(await WireGuardLab.Eventually(async () => !await _lab.SiteRouting.LinkExistsAsync(_lab.SiteInterface), Generous));
        Assert.False(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4, TimeSpan.FromSeconds(2)));
        // kill -9 leaves the control socket behind; the adapter must clear it before starting a new wireguard-go.
        Assert.True(File.Exists(Path.Combine(WireGuardCli.DefaultSocketDirectory, _lab.SiteInterface + ".sock")));

        Assert.True(await _hub.ReconcileAsync(_lab.Config, _lab.Hub));
        Assert.True(await _site.ReconcileAsync(_lab.Config, _lab.Site));

        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4), "tunnel back after restart");
        Assert.True(await WireGuardLab.PingAsync(_lab.HubRunner, WireGuardLab.SiteTunnel6), "tunnel back after restart");
        Assert.DoesNotContain(hubPid, await _lab.WireGuardGoPidsAsync(_lab.HubInterface));
        Assert.Single(await _lab.WireGuardGoPidsAsync(_lab.SiteInterface));
        Assert.Equal(2, (await ReturnPathRulesAsync()).Count);
    }

    [Fact]
    public async Task Site_follows_the_hub_name_to_a_new_address()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));

        // The hub gets a second underlay address and the name moves to it; the next pass re-resolves and follows.
        var moved = IPAddress.Parse("203.0.113.3");
        await _lab.HubRouting.AddAddressAsync(_lab.HubUnderlayInterface, new InterfaceAddress(moved, 26));
        await _lab.PointHubNameAtAsync(moved);

        Assert.True(await _site.ReconcileAsync(_lab.Config, _lab.Site));

        var peer = Assert.Single((await _lab.SiteWireGuard.ReadAsync(_lab.SiteInterface))!.Peers);
        Assert.Equal(new IPEndPoint(moved, WireGuardLab.HubPort), peer.Endpoint);
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel6), "tunnel works through the new address");
        Assert.False(await _site.ReconcileAsync(_lab.Config, _lab.Site), "a further pass changes nothing");
    }

    [Fact]
    public async Task Private_key_that_does_not_match_the_configured_public_key_is_an_error()
    {
        var wrong = _lab.Hub with { PublicKey = _lab.Site.PublicKey };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _hub.ReconcileAsync(_lab.Config, wrong));

        Assert.Contains(_lab.Hub.PrivateKeyFile, error.Message, StringComparison.Ordinal);
        Assert.Contains(_lab.Site.PublicKey.Base64, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_address_reaches_the_site_and_the_reply_returns_through_the_tunnel()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));
        var siteDefaultBefore = await SiteMainDefaultRouteAsync();

        // The listener answers with the peer address it sees.
        _lab.StartInNamespace(_lab.SiteNamespace, "socat", $"TCP-LISTEN:8080,bind={WireGuardLab.SiteTunnel4},reuseaddr,fork", "SYSTEM:echo $SOCAT_PEERADDR");
        string? seen = null;
        var connected = await WireGuardLab.Eventually(async () =>
        {
            var result = await _lab.ClientRunner.RunAsync("socat", ["-T", "5", "-", $"TCP:{WireGuardLab.SiteTunnel4}:8080,connect-timeout=3"], standardInput: "");
            seen = result.StandardOutput.Trim();
            return result.Succeeded && seen.Length > 0;
        }, Generous);

        Assert.True(connected, $"client could not complete a connection to the site (last output: '{seen}')");
        Assert.Equal(WireGuardLab.Client.ToString(), seen);
        Assert.Equal(siteDefaultBefore, await SiteMainDefaultRouteAsync());
        Assert.Equal("2", (await new Sysctl(_lab.SiteRunner).ReadAsync(SysctlKeys.ReversePathFilter(_lab.SiteInterface))));
    }

    [Fact]
    public async Task Vips_are_added_marked_and_removed_when_no_longer_configured()
    {
        // An address someone else put on the public interface: never Keepwire's to remove.
        var operatorAddress = new InterfaceAddress(IPAddress.Parse("198.51.100.20"), 32);
        await _lab.HubRouting.AddAddressAsync(_lab.PublicInterface, operatorAddress);
        await ReconcileBothAsync();

        var addresses = await _lab.HubRouting.GetAddressesAsync(_lab.PublicInterface);
        Assert.Contains(new InterfaceAddress(IPAddress.Parse("198.51.100.10"), 32, InterfaceAddress.KeepwireAddressMetric), addresses);
        Assert.Contains(new InterfaceAddress(IPAddress.Parse("2001:db8:77::10"), 128, InterfaceAddress.KeepwireAddressMetric), addresses);
        Assert.True(await WireGuardLab.PingAsync(_lab.ClientRunner, IPAddress.Parse("198.51.100.10")), "client reaches the VIP on the hub");

        // Drop the IPv6 VIP; a fresh reconciler (as after a restart) still knows which VIPs are its own.
        var fewer = _lab.WithVips(IPAddress.Parse("198.51.100.10"));
        Assert.True(await _lab.NewHubReconciler().ReconcileAsync(fewer, _lab.Hub));

        addresses = await _lab.HubRouting.GetAddressesAsync(_lab.PublicInterface);
        Assert.DoesNotContain(addresses, a => a.Address.Equals(IPAddress.Parse("2001:db8:77::10")));
        Assert.Contains(addresses, a => a.Address.Equals(IPAddress.Parse("198.51.100.10")));
        Assert.Contains(addresses, operatorAddress.SameAs);

        await _hub.TeardownAsync(_lab.Hub);
        addresses = await _lab.HubRouting.GetAddressesAsync(_lab.PublicInterface);
        Assert.DoesNotContain(addresses, a => a.Address.Equals(IPAddress.Parse("198.51.100.10")));
        Assert.Contains(addresses, operatorAddress.SameAs);
    }

    [Fact]
    public async Task Teardown_leaves_nothing()
    {
        await ReconcileBothAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, WireGuardLab.HubTunnel4));
        var siteDefaultBefore = await SiteMainDefaultRouteAsync();

        await _site.TeardownAsync(_lab.Site);
        await _hub.TeardownAsync(_lab.Hub);

        Assert.False(await _lab.SiteRouting.LinkExistsAsync(_lab.SiteInterface));
        Assert.False(await _lab.HubRouting.LinkExistsAsync(_lab.HubInterface));
        Assert.Empty(await ReturnPathRulesAsync());
        var table = SiteNetworkReconciler.ReturnPath.TableFor(_lab.SiteInterface);
        Assert.Empty(await _lab.SiteRouting.GetRoutesAsync(table, System.Net.Sockets.AddressFamily.InterNetwork));
        Assert.Empty(await _lab.SiteRouting.GetRoutesAsync(table, System.Net.Sockets.AddressFamily.InterNetworkV6));
        Assert.True(await WireGuardLab.Eventually(async () =>
            (await _lab.WireGuardGoPidsAsync(_lab.HubInterface)).Count == 0 && (await _lab.WireGuardGoPidsAsync(_lab.SiteInterface)).Count == 0, Generous));
        Assert.False(File.Exists(Path.Combine(WireGuardCli.DefaultSocketDirectory, _lab.HubInterface + ".sock")));
        Assert.False(File.Exists(Path.Combine(WireGuardCli.DefaultSocketDirectory, _lab.SiteInterface + ".sock")));
        Assert.Equal(siteDefaultBefore, await SiteMainDefaultRouteAsync());
    }

    private async Task<IReadOnlyList<PolicyRule>> ReturnPathRulesAsync()
    {
        var table = SiteNetworkReconciler.ReturnPath.TableFor(_lab.SiteInterface).ToString();
        var rules = new List<PolicyRule>();
        foreach (var family in new[] { System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.AddressFamily.InterNetworkV6 })
            rules.AddRange((await _lab.SiteRouting.GetRulesAsync(family)).Where(rule => rule.Table == table));
        return rules;
    }

    private async Task<string> SiteMainDefaultRouteAsync() =>
        (await _lab.SiteRunner.RunCheckedAsync("ip", ["-j", "route", "show", "default"])).StandardOutput.Trim();

    /// <summary>Everything a pass could change, as comparable text (handshake times and byte counters left out: they move by themselves).</summary>
    private async Task<NetworkSnapshot> SnapshotAsync()
    {
        static string Device(WireGuardDeviceState? state) => state is null
            ? "(none)"
            : $"{state.PublicKey} {state.ListenPort} " + string.Join(" | ", state.Peers.Select(p =>
                $"{p.PublicKey} {p.Endpoint} {string.Join(',', p.AllowedIps)} {p.PersistentKeepalive}"));

        async Task<string> Ip(NetnsTestRunner runner, params string[] arguments) =>
            (await runner.RunCheckedAsync("ip", arguments)).StandardOutput.Trim();

        var table = SiteNetworkReconciler.ReturnPath.TableFor(_lab.SiteInterface).ToString();
        return new NetworkSnapshot(
            Device(await _lab.HubWireGuard.ReadAsync(_lab.HubInterface)),
            Device(await _lab.SiteWireGuard.ReadAsync(_lab.SiteInterface)),
            await Ip(_lab.HubRunner, "-br", "addr", "show", "dev", _lab.HubInterface) + await Ip(_lab.HubRunner, "-br", "addr", "show", "dev", _lab.PublicInterface),
            await Ip(_lab.SiteRunner, "-br", "addr", "show", "dev", _lab.SiteInterface),
            await Ip(_lab.SiteRunner, "rule", "show") + await Ip(_lab.SiteRunner, "-6", "rule", "show"),
            await Ip(_lab.SiteRunner, "route", "show", "table", "main") + await Ip(_lab.SiteRunner, "-6", "route", "show", "table", "main")
                + await Ip(_lab.SiteRunner, "route", "show", "table", table) + await Ip(_lab.SiteRunner, "-6", "route", "show", "table", table),
            string.Join(',', await _lab.WireGuardGoPidsAsync(_lab.HubInterface)),
            string.Join(',', await _lab.WireGuardGoPidsAsync(_lab.SiteInterface)));
    }

    private sealed record NetworkSnapshot(
        string HubDevice, string SiteDevice, string HubLinks, string SiteLinks, string SiteRules, string SiteRoutes, string HubWireGuardGoPids, string SiteWireGuardGoPids);
}
