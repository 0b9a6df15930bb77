using System.Net;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Configuration;

namespace Keepwire.Tests.Reconciliation;

/// <summary>A routed service on the hub: no DNAT, a filter from the config, and the prefix on the serving site's peer.</summary>
public sealed class RoutedDataPlaneTests
{
    private static readonly ClusterConfig Config = ConfigLoader.Parse(
        ConfigText.Base.Append(
            "  - name: mail",
            "    mode: routed",
            "    addresses: [198.51.100.90, \"2001:db8:90::/64\"]",
            "    allow: [tcp/25, tcp/587, udp/443]",
            "    sites: [alpha, bravo]",
            "  - name: open",
            "    mode: routed",
            "    addresses: [198.51.100.91]",
            "    allow: all",
            "    sites: [bravo]",
            "    checks: [{ type: tcp, port: 22 }]").ToString(),
        "routed.yaml").Config!;

    private static HubDataPlane PlaneWith(string mailSite) =>
        HubDataPlaneBuilder.Build(Config, Config.Hubs[0], new Dictionary<string, string> { ["mail"] = mailSite, ["open"] = "bravo" });

    [Fact]
    public void A_routed_service_gets_no_dnat_rule_and_its_prefixes_name_the_serving_site()
    {
        var plane = PlaneWith("alpha");

        Assert.DoesNotContain(plane.Rules, r => r.Service == "mail");
        Assert.Equal(
            [("mail", "198.51.100.90/32", "alpha"), ("mail", "2001:db8:90::/64", "alpha"), ("open", "198.51.100.91/32", "bravo")],
            plane.Routed.Select(r => (r.Service, r.Prefix.ToString(), r.Site!)));
        Assert.Equal(Config.FindSite("alpha")!.PublicKey, plane.Routed[0].SitePeer);
        Assert.False(plane.SameAs(PlaneWith("bravo")));
    }

    [Fact]
    public void The_filter_lets_through_only_what_is_allowed_and_a_switch_leaves_the_table_alone()
    {
        var table = NftRulesetRenderer.Render(PlaneWith("alpha"));

        Assert.Contains("ip daddr 198.51.100.90 tcp dport { 25, 587 } accept", table.Definition, StringComparison.Ordinal);
        Assert.Contains("ip daddr 198.51.100.90 udp dport { 443 } accept", table.Definition, StringComparison.Ordinal);
        Assert.Contains("ip6 daddr 2001:db8:90::/64 meta l4proto ipv6-icmp accept", table.Definition, StringComparison.Ordinal);
        Assert.Contains("ip daddr 198.51.100.91 counter accept", table.Definition, StringComparison.Ordinal);
        Assert.Contains("ip6 saddr 2001:db8:90::/64 tcp sport { 25, 587 } tcp flags & (rst | ack) == rst | ack tcp sequence 0", table.Definition, StringComparison.Ordinal);
        Assert.DoesNotContain("ip saddr 198.51.100.91", table.Definition, StringComparison.Ordinal);
        // Refusals from the routed addresses are passive evidence too: logged to the hub, then dropped so the client retries.
        Assert.Contains($"ip saddr 198.51.100.90 tcp sport {{ 25, 587 }} tcp flags & (rst | ack) == rst | ack tcp sequence 0 {NftRulesetRenderer.LogRefusal4}", table.Definition, StringComparison.Ordinal);
        Assert.Contains($"ip6 saddr 2001:db8:90::/64 icmpv6 type destination-unreachable icmpv6 code port-unreachable {NftRulesetRenderer.LogRefusal6}", table.Definition, StringComparison.Ordinal);
        Assert.Contains("ip saddr 198.51.100.90 icmp type destination-unreachable icmp code port-unreachable counter drop", table.Definition, StringComparison.Ordinal);
        // The routed filter changes with the config only: a failover is a WireGuard change, not a table rebuild.
        Assert.Equal(table.Fingerprint, NftRulesetRenderer.Render(PlaneWith("bravo")).Fingerprint);
    }

    [Fact]
    public void The_serving_sites_peer_carries_the_prefixes_and_gains_them_before_the_old_one_loses_them()
    {
        var alpha = Config.FindSite("alpha")!;
        var bravo = Config.FindSite("bravo")!;
        var onAlpha = HubNetworkReconciler.DesiredDevice(Config, Config.Hubs[0], PlaneWith("alpha").Routed);
        Assert.Contains(IPNetwork.Parse("2001:db8:90::/64"), onAlpha.Peers.Single(p => p.PublicKey == alpha.PublicKey).AllowedIps);
        Assert.DoesNotContain(IPNetwork.Parse("2001:db8:90::/64"), onAlpha.Peers.Single(p => p.PublicKey == bravo.PublicKey).AllowedIps);

        var state = new WireGuardDeviceState(Config.Hubs[0].PublicKey, 51820,
            [.. onAlpha.Peers.Select(p => new WireGuardPeerState(p.PublicKey, null, p.AllowedIps, null, 0, 0, 0))]);
        var onBravo = HubNetworkReconciler.DesiredDevice(Config, Config.Hubs[0], PlaneWith("bravo").Routed);
        var changes = WireGuardChanges.Compute(state, onBravo);

        Assert.Equal([bravo.PublicKey, alpha.PublicKey], changes.Peers.Select(p => p.PublicKey));
    }
}
