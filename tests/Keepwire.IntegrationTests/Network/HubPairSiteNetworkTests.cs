using System.Net.Sockets;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Reconciliation;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// A site dual-homed to a hub pair, driven by the real reconcilers in namespaces with wireguard-go: a live
/// tunnel to each hub, the return path per tunnel by connection mark, idempotent passes, and a clean teardown.
/// </summary>
[Collection("namespaces")]
public sealed class HubPairSiteNetworkTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly HubPairLab _lab = new();
    private SiteNetworkReconciler _site = null!;

    public async Task InitializeAsync()
    {
        await _lab.InitializeAsync();
        _site = _lab.NewSiteReconciler();
    }

    public Task DisposeAsync() => _lab.DisposeAsync();

    private async Task ReconcileAllAsync()
    {
        for (var i = 0; i < 2; i++)
            await _lab.NewHubReconciler(i).ReconcileAsync(_lab.Config, _lab.Config.Hubs[i]);
        await _site.ReconcileAsync(_lab.Config, _lab.Site);
    }

    [Fact]
    public async Task Both_tunnels_handshake_and_each_hub_is_reached_through_its_own_interface()
    {
        await ReconcileAllAsync();

        for (var i = 0; i < 2; i++)
        {
            Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, HubPairLab.HubTunnel4[i]), $"site -> hub{i + 1} over IPv4");
            Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, HubPairLab.HubTunnel6[i]), $"site -> hub{i + 1} over IPv6");
            Assert.True(await WireGuardLab.PingAsync(_lab.HubRunners[i], HubPairLab.SiteTunnel4), $"hub{i + 1} -> site over IPv4");
            var peer = Assert.Single((await _lab.SiteWireGuard.ReadAsync(_lab.SiteInterfaces[i]))!.Peers);
            Assert.Equal(_lab.Config.Hubs[i].PublicKey, peer.PublicKey);
            Assert.NotNull(peer.LatestHandshake);
            var route = (await _lab.SiteRunner.RunCheckedAsync("ip", ["route", "get", HubPairLab.HubTunnel4[i].ToString()])).StandardOutput;
            Assert.Contains($"dev {_lab.SiteInterfaces[i]} src {HubPairLab.SiteTunnel4}", route, StringComparison.Ordinal);
        }

        Assert.Equal("2", await new Sysctl(_lab.SiteRunner).ReadAsync(SysctlKeys.ReversePathFilter(_lab.SiteInterfaces[1])));
    }

    [Fact]
    public async Task A_second_pass_and_a_fresh_reconciler_change_nothing()
    {
        await ReconcileAllAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, HubPairLab.HubTunnel4[1]));
        var before = await SiteStateAsync();

        Assert.False(await _site.ReconcileAsync(_lab.Config, _lab.Site), "second pass reported a change");
        Assert.False(await _lab.NewSiteReconciler().ReconcileAsync(_lab.Config, _lab.Site), "a restarted agent's first pass reported a change");

        Assert.Equal(before, await SiteStateAsync());
    }

    [Fact]
    public async Task Replies_leave_through_the_tunnel_their_connection_arrived_through()
    {
        await ReconcileAllAsync();
        await _lab.ForwardOnHubsAsync(8080, 8081);
        await _lab.ForwardOnSiteToContainerAsync(8081);
        // Both servers answer with the client address they see: the connection completes only if the replies
        // find their way back, and cli2's only way back is through hub2.
        _lab.StartInNamespace(_lab.SiteNamespace, "socat", $"TCP-LISTEN:8080,bind={HubPairLab.SiteTunnel4},reuseaddr,fork", "SYSTEM:echo $SOCAT_PEERADDR");
        _lab.StartInNamespace(_lab.ContainerNamespace, "socat", "TCP-LISTEN:8081,reuseaddr,fork", "SYSTEM:echo $SOCAT_PEERADDR");

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HubPairLab.Clients[i].ToString(), await ConnectAsync(i, 8080));
            Assert.Equal(HubPairLab.Clients[i].ToString(), await ConnectAsync(i, 8081));
        }

        // The site's connection tracking holds each client's connections under its tunnel's mark.
        for (var i = 0; i < 2; i++)
        {
            var mark = SiteNetworkReconciler.ReturnPath.MarkFor(i).Value;
            var tracked = (await _lab.SiteRunner.RunCheckedAsync("conntrack", ["-L", "-p", "tcp", "-s", HubPairLab.Clients[i].ToString()])).StandardOutput;
            var lines = tracked.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(lines);
            Assert.All(lines, line => Assert.Contains($"mark={mark} ", line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Teardown_removes_both_tunnels_their_return_paths_and_the_marks_table()
    {
        await ReconcileAllAsync();
        Assert.True(await WireGuardLab.PingAsync(_lab.SiteRunner, HubPairLab.HubTunnel4[0]));

        await _site.TeardownAsync(_lab.Site);

        var nftables = new NftablesCli(_lab.SiteRunner);
        Assert.Null(await nftables.ReadTableAsync(SiteReturnPathTable.Family, SiteReturnPathTable.Name));
        foreach (var name in _lab.SiteInterfaces)
        {
            Assert.False(await _lab.SiteRouting.LinkExistsAsync(name));
            var table = SiteNetworkReconciler.ReturnPath.TableFor(name);
            foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
            {
                Assert.Empty(await _lab.SiteRouting.GetRoutesAsync(table, family));
                Assert.DoesNotContain(await _lab.SiteRouting.GetRulesAsync(family), rule => rule.Table == table.ToString());
            }
            Assert.True(await WireGuardLab.Eventually(async () => (await _lab.WireGuardGoPidsAsync(name)).Count == 0, Generous));
        }
        var main = (await _lab.SiteRunner.RunCheckedAsync("ip", ["-br", "addr"])).StandardOutput;
        Assert.DoesNotContain(HubPairLab.SiteTunnel4.ToString(), main, StringComparison.Ordinal);
    }

    /// <summary>One TCP connection from client <paramref name="client"/> to its hub's public address; returns what the server answered.</summary>
    private async Task<string> ConnectAsync(int client, int port)
    {
        var seen = "";
        var connected = await WireGuardLab.Eventually(async () =>
        {
            var result = await _lab.ClientRunners[client].RunAsync("socat", ["-T", "5", "-", $"TCP:{HubPairLab.HubPublic[client]}:{port},connect-timeout=3"], standardInput: "");
            seen = result.StandardOutput.Trim();
            return result.Succeeded && seen.Length > 0;
        }, Generous);
        Assert.True(connected, $"cli{client + 1} could not complete a connection to port {port} through hub{client + 1} (last output: '{seen}')");
        return seen;
    }

    /// <summary>Everything a site pass could change, as comparable text (handshake times and counters left out).</summary>
    private async Task<string> SiteStateAsync()
    {
        async Task<string> Run(params string[] arguments) => (await _lab.SiteRunner.RunCheckedAsync(arguments[0], arguments[1..])).StandardOutput.Trim();

        var parts = new List<string>
        {
            await Run("ip", "-br", "addr"),
            await Run("ip", "rule", "show") + await Run("ip", "-6", "rule", "show"),
            await Run("ip", "route", "show", "table", "all") + await Run("ip", "-6", "route", "show", "table", "all"),
            await Run("nft", "list", "table", SiteReturnPathTable.Family, SiteReturnPathTable.Name),
        };
        foreach (var name in _lab.SiteInterfaces)
        {
            var device = await _lab.SiteWireGuard.ReadAsync(name);
            parts.Add(string.Join(" | ", device!.Peers.Select(p => $"{p.PublicKey} {p.Endpoint} {string.Join(',', p.AllowedIps)} {p.PersistentKeepalive}")));
            parts.Add(string.Join(',', await _lab.WireGuardGoPidsAsync(name)));
        }
        return string.Join("\n", parts);
    }
}
