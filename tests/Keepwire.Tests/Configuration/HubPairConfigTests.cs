using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class HubPairConfigTests
{
    [Fact]
    public void The_shipped_pair_example_parses_with_its_defaults()
    {
        var path = Path.Combine(ConfigLoaderValidTests.RepoRoot(), "examples", "keepwire-pair.yaml");

        var result = ConfigLoader.Load(path);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal(["hub1", "hub2"], config.Hubs.Select(h => h.Name));
        var (hub1, hub2) = (config.Hubs[0], config.Hubs[1]);
        Assert.Equal(HubPairSettings.Default, config.HubPair);
        Assert.Same(hub2, config.PeerOf(hub1));
        Assert.Same(hub1, config.PeerOf(hub2));
        Assert.Equal((IPAddress.Parse("198.51.100.2"), 150), (hub1.PairAddress, hub1.VrrpPriority));
        Assert.Equal((IPAddress.Parse("198.51.100.3"), 100), (hub2.PairAddress, hub2.VrrpPriority));
        Assert.Equal(new TunnelAddresses(IPAddress.Parse("10.77.0.2"), 24, IPAddress.Parse("fd77::2"), 64), hub2.Tunnel);

        var alpha = config.FindSite("alpha")!;
        Assert.Equal(new Dictionary<string, string> { ["hub1"] = "kw0", ["hub2"] = "kw1" }, alpha.Interfaces);
        Assert.Equal("kw0", alpha.Interface);
        Assert.Equal("kw1", alpha.InterfaceFor(hub2));
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.10"), IPAddress.Parse("fd77::10")), alpha.Tunnel);

        var bravo = config.FindSite("bravo")!;
        Assert.Equal(["kw-hub1", "kw-hub2"], [bravo.InterfaceFor(hub1), bravo.InterfaceFor(hub2)]);
        Assert.Equal("kw-hub1", bravo.Interface);
    }

    [Fact]
    public void Hub_pair_values_are_read_and_explicit_pair_keys_override_the_defaults()
    {
        var yaml = ConfigText.Pair
            .InsertAfter(3, "    pair_address: 192.0.2.2", "    vrrp_priority: 90")
            .InsertAfter(10, "    vrrp_priority: 200")
            .Replace(16, "  virtual_router_id: 7", "  advert_interval: 20ms", "  sync_port: 40000", "  peer_timeout: 250ms", "  conntrackd: true")
            .ToString();

        var result = ConfigLoader.Parse(yaml, "pair.yaml");

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.Equal(new HubPairSettings(7, TimeSpan.FromMilliseconds(20), 40000, TimeSpan.FromMilliseconds(250), true), config.HubPair);
        Assert.Equal((IPAddress.Parse("192.0.2.2"), 90), (config.Hubs[0].PairAddress, config.Hubs[0].VrrpPriority));
        Assert.Equal((IPAddress.Parse("198.51.100.3"), 200), (config.Hubs[1].PairAddress, config.Hubs[1].VrrpPriority));
    }

    [Fact]
    public void A_provider_hook_is_read_with_its_defaults_and_keepalived_then_announces_nothing_beyond_its_first_burst()
    {
        var yaml = ConfigText.Pair
            .Replace(13, "  vip_mover: provider", "  provider_hook:", "    command: [/usr/share/keepwire/provider-hooks/generic-http, \"https://api.example.net/vips\"]", "    check_interval: 20s")
            .ToString();

        var result = ConfigLoader.Parse(yaml, "pair.yaml");

        Assert.Empty(result.Errors);
        var pair = result.Config!.HubPair!;
        Assert.Equal(VipMover.Provider, pair.VipMover);
        Assert.Equal(new ProviderHookSettings(["/usr/share/keepwire/provider-hooks/generic-http", "https://api.example.net/vips"], ProviderHookSettings.DefaultTimeout, TimeSpan.FromSeconds(20)), pair.ProviderHook);
        var paths = new Keepwire.Hub.Pair.HubRunPaths("/run/keepwire", "hub1");
        var keepalived = Keepwire.Hub.Pair.PairAdapterSettings.Keepalived(result.Config, result.Config.Hubs[0], result.Config.Hubs[1], pair, paths);
        Assert.False(keepalived.AnnounceVips);
        var rendered = Keepwire.Adapters.Keepalived.KeepalivedConfigRenderer.Render(keepalived);
        Assert.DoesNotContain("garp_master_refresh", rendered);
        Assert.Contains("unicast_peer", rendered);
    }

    [Fact]
    public void Without_vip_mover_the_pair_moves_the_VIPs_by_ARP_and_keepalived_keeps_announcing_them()
    {
        var result = ConfigLoader.Parse(ConfigText.Pair.ToString(), "pair.yaml");

        var pair = result.Config!.HubPair!;
        Assert.Equal((VipMover.Arp, null), (pair.VipMover, pair.ProviderHook));
        var keepalived = Keepwire.Hub.Pair.PairAdapterSettings.Keepalived(result.Config, result.Config.Hubs[0], result.Config.Hubs[1], pair, new Keepwire.Hub.Pair.HubRunPaths("/run/keepwire", "hub1"));
        Assert.Contains("garp_master_refresh 10", Keepwire.Adapters.Keepalived.KeepalivedConfigRenderer.Render(keepalived));
    }

    [Fact]
    public void A_pair_without_hub_pair_gets_every_default_and_an_IPv6_endpoint_gives_the_pair_address()
    {
        var yaml = ConfigText.Pair
            .Replace(3, "    endpoint: \"[2001:db8::2]:51820\"")
            .Replace(8, "    endpoint: \"[2001:db8::3]:51820\"")
            .Replace(12).Replace(12)
            .ToString();

        var result = ConfigLoader.Parse(yaml, "pair.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(HubPairSettings.Default, result.Config!.HubPair);
        Assert.Equal(IPAddress.Parse("2001:db8::3"), result.Config.Hubs[1].PairAddress);
    }

    [Fact]
    public void Site_allocation_skips_the_addresses_of_both_hubs()
    {
        var yaml = ConfigText.Pair.Replace(11, "    tunnel: { ipv4: 10.77.0.10/24, ipv6: fd77::11/64 }").ToString();

        var result = ConfigLoader.Parse(yaml, "pair.yaml");

        Assert.Empty(result.Errors);
        var tunnels = result.Config!.Sites.ToDictionary(s => s.Name, s => s.Tunnel);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.11"), IPAddress.Parse("fd77::10")), tunnels["alpha"]);
        Assert.Equal(TunnelAddresses.Host(IPAddress.Parse("10.77.0.12"), IPAddress.Parse("fd77::12")), tunnels["bravo"]);
    }

    [Fact]
    public void A_single_hub_has_no_pair_settings_and_one_interface_per_site()
    {
        var result = ConfigLoader.Parse(ConfigText.Base.InsertAfter(8, "    interface: kwa").ToString(), "one.yaml");

        Assert.Empty(result.Errors);
        var config = result.Config!;
        var hub = Assert.Single(config.Hubs);
        Assert.Null(config.HubPair);
        Assert.Null(config.PeerOf(hub));
        Assert.Null(hub.PairAddress);
        Assert.Equal(0, hub.VrrpPriority);
        var alpha = config.FindSite("alpha")!;
        Assert.Equal(new Dictionary<string, string> { ["hub"] = "kwa" }, alpha.Interfaces);
        Assert.Equal(("kwa", "kwa"), (alpha.Interface, alpha.InterfaceFor(hub)));
        Assert.Equal(new Dictionary<string, string> { ["hub"] = "kw0" }, config.FindSite("bravo")!.Interfaces);
    }

    [Fact]
    public void A_single_hub_site_may_name_its_interface_with_interfaces()
    {
        var result = ConfigLoader.Parse(ConfigText.Base.InsertAfter(8, "    interfaces: { hub: kwa }").ToString(), "one.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal("kwa", result.Config!.FindSite("alpha")!.Interface);
    }

    [Fact]
    public void Interface_maps_compare_by_content_so_equal_configs_stay_equal()
    {
        var first = ConfigLoader.Parse(ConfigText.Pair.ToString(), "pair.yaml").Config!;
        var second = ConfigLoader.Parse(ConfigText.Pair.ToString(), "pair.yaml").Config!;

        Assert.Equal(first.Sites[0], second.Sites[0]);
        Assert.NotEqual(first.Sites[0], second.Sites[0] with { Interfaces = new HubInterfaceDictionary([KeyValuePair.Create("hub1", "kw0"), KeyValuePair.Create("hub2", "kw9")]) });
    }
}
