namespace Keepwire.Tests.Configuration;

/// <summary>
/// The hub-pair cases: one broken thing each, reported at the exact node. Most edit <see cref="ConfigText.Pair"/>;
/// the single-hub ones (pair keys without a pair) edit <see cref="ConfigText.Base"/>.
/// </summary>
public sealed partial class MalformedConfigTests
{
    private static readonly Dictionary<string, (ConfigText Text, int Line, int Column, string Fragment)> PairCases = new()
    {
        ["three hubs"] = (ConfigText.Pair.InsertAfter(11, "  - name: hub3", "    endpoint: 198.51.100.4:51820", "    public_interface: eth0", $"    public_key: {ConfigText.Hub3Key}", "    tunnel: { ipv4: 10.77.0.3/24 }"),
            12, 5, "a cluster has one hub or a pair of two, but hub 'hub3' is a third"),
        ["hub_pair with one hub"] = (ConfigText.Base.InsertAfter(5, "hub_pair:", "  sync_port: 51900"), 6, 1, "hub_pair is only used with two hubs, but the file has one (hint: add the second hub under hubs:"),
        ["pair_address with one hub"] = (ConfigText.Base.InsertAfter(5, "    pair_address: 198.51.100.2"), 6, 19, "pair_address of hub 'hub' is only used in a hub pair"),
        ["vrrp_priority with one hub"] = (ConfigText.Base.InsertAfter(5, "    vrrp_priority: 100"), 6, 20, "vrrp_priority of hub 'hub' is only used in a hub pair"),
        ["second hub in another tunnel network"] = (ConfigText.Pair.Replace(11, "    tunnel: { ipv4: 10.78.0.2/24, ipv6: fd77::2/64 }"), 11, 21,
            "tunnel ipv4 10.78.0.2/24 of hub 'hub2' does not match the tunnel network 10.77.0.0/24 of hub 'hub1' (hint: both hubs of a pair share one tunnel network, prefix length included: use e.g. 10.77.0.2/24)"),
        ["second hub with another prefix length"] = (ConfigText.Pair.Replace(11, "    tunnel: { ipv4: 10.77.0.2/24, ipv6: fd77::2/56 }"), 11, 41, "tunnel ipv6 fd77::2/56 of hub 'hub2' does not match the tunnel network fd77::/64 of hub 'hub1'"),
        ["both hubs with one tunnel address"] = (ConfigText.Pair.Replace(11, "    tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::2/64 }"), 11, 21, "tunnel ipv4 10.77.0.1 of hub 'hub2' is already used by hub 'hub1' (hint: every node needs its own tunnel address: use e.g. 10.77.0.2/24)"),
        ["second hub lacks a family"] = (ConfigText.Pair.Replace(11, "    tunnel: { ipv4: 10.77.0.2/24 }"), 11, 13, "hub 'hub2' has no tunnel ipv6 address, but hub 'hub1' has fd77::1/64 (hint: both hubs of a pair need addresses in the same tunnel networks: add e.g. ipv6: fd77::2/64)"),
        ["second hub has an extra family"] = (ConfigText.Pair.Replace(6, "    tunnel: { ipv4: 10.77.0.1/24 }"), 11, 41, "tunnel ipv6 of hub 'hub2' has no counterpart: hub 'hub1' has no tunnel ipv6 address"),
        ["pair without public_interface"] = (ConfigText.Pair.Replace(9), 7, 5, "hub 'hub2' of a pair is missing required key 'public_interface' (hint: keepalived adds the VIPs"),
        ["pair_address needed for a named endpoint"] = (ConfigText.Pair.Replace(3, "    endpoint: hub1.example.net:51820"), 2, 5, "hub 'hub1' of a pair is missing required key 'pair_address' (hint: its endpoint host 'hub1.example.net' is a name"),
        ["pair_address is not an address"] = (ConfigText.Pair.InsertAfter(3, "    pair_address: hub1.example.net"), 4, 19, "'hub1.example.net' is not an IP address"),
        ["pair_address is loopback"] = (ConfigText.Pair.InsertAfter(3, "    pair_address: 127.0.0.1"), 4, 19, "pair_address 127.0.0.1 of hub 'hub1' is a loopback address"),
        ["pair addresses of two families"] = (ConfigText.Pair.InsertAfter(8, "    pair_address: 2001:db8::3"), 9, 19, "pair_address 2001:db8::3 of hub 'hub2' is IPv6, but the pair_address of hub 'hub1' is IPv4 (198.51.100.2)"),
        ["pair addresses of two families, one from the endpoint"] = (ConfigText.Pair.Replace(8, "    endpoint: \"[2001:db8::3]:51820\""), 8, 15, "pair_address 2001:db8::3 of hub 'hub2' is IPv6"),
        ["one pair address for both hubs"] = (ConfigText.Pair.InsertAfter(8, "    pair_address: 198.51.100.2"), 9, 19, "pair_address 198.51.100.2 of hub 'hub2' is also the pair_address of hub 'hub1'"),
        ["vrrp_priority out of range"] = (ConfigText.Pair.InsertAfter(3, "    vrrp_priority: 255"), 4, 20, "vrrp_priority 255 is out of range (hint: use a value from 1 to 254)"),
        ["vrrp priorities equal"] = (ConfigText.Pair.InsertAfter(8, "    vrrp_priority: 150"), 9, 20, "vrrp_priority 150 of hub 'hub2' equals that of hub 'hub1' (hint: the hubs need different priorities"),
        ["first priority equals the second's default"] = (ConfigText.Pair.InsertAfter(3, "    vrrp_priority: 100"), 4, 20, "vrrp_priority 100 of hub 'hub1' equals that of hub 'hub2'"),
        ["hub_pair is a list"] = (ConfigText.Pair.Replace(13, "  - advert_interval: 100ms"), 13, 3, "hub_pair must be a mapping"),
        ["unknown hub_pair key"] = (ConfigText.Pair.Replace(13, "  advert_intervall: 100ms"), 13, 3, "unknown key 'advert_intervall' in hub_pair (hint: did you mean 'advert_interval'?)"),
        ["advert_interval not a multiple of 10ms"] = (ConfigText.Pair.Replace(13, "  advert_interval: 15ms"), 13, 20, "advert_interval 15ms is not a multiple of 10ms (hint: VRRPv3 counts adverts in hundredths of a second: use 10ms or 20ms)"),
        ["advert_interval too short"] = (ConfigText.Pair.Replace(13, "  advert_interval: 5ms"), 13, 20, "advert_interval 5ms is out of range (hint: use a duration from 10ms to 40s)"),
        ["advert_interval too long"] = (ConfigText.Pair.Replace(13, "  advert_interval: 41s"), 13, 20, "advert_interval 41s is out of range"),
        ["advert_interval without unit"] = (ConfigText.Pair.Replace(13, "  advert_interval: 100"), 13, 20, "advert_interval '100' has no unit"),
        ["peer_timeout too short"] = (ConfigText.Pair.InsertAfter(13, "  peer_timeout: 200ms"), 14, 17, "peer_timeout 200ms is shorter than 3 × advert_interval (300ms) (hint: a lost sync message must not make the peer hub look gone: set peer_timeout to at least 300ms)"),
        ["default peer_timeout too short for the advert interval"] = (ConfigText.Pair.Replace(13, "  advert_interval: 1s"), 13, 20, "peer_timeout 1s (the default) is shorter than 3 × advert_interval (3s)"),
        ["virtual_router_id out of range"] = (ConfigText.Pair.Replace(13, "  virtual_router_id: 256"), 13, 22, "virtual_router_id 256 is out of range (hint: use a value from 1 to 255)"),
        ["sync_port is the site report port"] = (ConfigText.Pair.Replace(13, "  sync_port: 51821"), 13, 14, "sync_port 51821 is the port sites send their reports to"),
        ["sync_port is a hub's WireGuard port"] = (ConfigText.Pair.Replace(13, "  sync_port: 51820").Replace(8, "    endpoint: 198.51.100.3:51830"), 13, 14, "sync_port 51820 is the WireGuard listen port of hub 'hub1'"),
        ["conntrackd is not a boolean"] = (ConfigText.Pair.Replace(13, "  conntrackd: yes"), 13, 15, "conntrackd must be true or false, not 'yes'"),
        ["one interface for two hubs"] = (ConfigText.Pair.InsertAfter(16, "    interface: kwa"), 17, 16, "interface of site 'alpha' names one interface, but with two hubs the site needs one per hub (hint: use interfaces: { hub1: kwa, hub2: kw1 })"),
        ["interface and interfaces"] = (ConfigText.Pair.InsertAfter(16, "    interface: kwa", "    interfaces: { hub1: kwa, hub2: kwb }"), 17, 16, "site 'alpha' has both interface and interfaces (hint: keep interfaces"),
        ["interfaces names an unknown hub"] = (ConfigText.Pair.InsertAfter(16, "    interfaces: { hub1: kwa, hubb2: kwb }"), 17, 30, "unknown key 'hubb2' in interfaces of site 'alpha' (hint: did you mean 'hub2'?)"),
        ["interfaces misses a hub"] = (ConfigText.Pair.InsertAfter(16, "    interfaces: { hub1: kwa }"), 17, 17, "interfaces of site 'alpha' is missing required key 'hub2' (hint: add hub2: <interface name>, e.g. hub2: kw1)"),
        ["interfaces repeats a name"] = (ConfigText.Pair.InsertAfter(16, "    interfaces: { hub1: kwa, hub2: kwa }"), 17, 36, "interface 'kwa' of site 'alpha' is already used for hub 'hub1'"),
        ["interfaces value too long"] = (ConfigText.Pair.InsertAfter(16, "    interfaces: { hub1: kwa, hub2: keepwire-tunnel-2 }"), 17, 36, "interface 'keepwire-tunnel-2' is longer than 15 characters"),
        ["interfaces is not a mapping"] = (ConfigText.Pair.InsertAfter(16, "    interfaces: kwa"), 17, 17, "interfaces of site 'alpha' must be a mapping"),
        ["interfaces with one hub names another"] = (ConfigText.Base.InsertAfter(8, "    interfaces: { hubb: kwa }"), 9, 19, "unknown key 'hubb' in interfaces of site 'alpha' (hint: did you mean 'hub'?)"),
        ["site tunnel equals the second hub's"] = (ConfigText.Pair.InsertAfter(16, "    tunnel: { ipv4: 10.77.0.2 }"), 17, 21, "10.77.0.2 of site 'alpha' is already used by hub 'hub2'"),
        ["VIP is a hub's endpoint"] = (ConfigText.Pair.Replace(21, "    vips: [198.51.100.2]"), 21, 12, "VIP 198.51.100.2 of service 'web' is the endpoint of hub 'hub1' (hint: in a hub pair sites dial each hub's own address"),
        ["VIP is a hub's pair address"] = (ConfigText.Pair.InsertAfter(8, "    pair_address: 198.51.100.9").Replace(22, "    vips: [198.51.100.9]"), 22, 12, "VIP 198.51.100.9 of service 'web' is the pair_address of hub 'hub2'"),
        ["vip_mover provider without a hook"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider"), 13, 14, "vip_mover: provider needs a provider_hook (hint: add provider_hook: { command: [/path/to/hook, …] }"),
        ["provider_hook without vip_mover"] = (ConfigText.Pair.Replace(13, "  provider_hook: { command: [/usr/local/bin/hook] }"), 13, 3,
            "provider_hook is only used with vip_mover: provider, and vip_mover is arp (the default) (hint: add vip_mover: provider"),
        ["provider_hook with vip_mover arp"] = (ConfigText.Pair.Replace(13, "  vip_mover: arp", "  provider_hook: { command: [/usr/local/bin/hook] }"), 14, 3, "provider_hook is only used with vip_mover: provider, not arp"),
        ["unknown vip_mover"] = (ConfigText.Pair.Replace(13, "  vip_mover: bgp"), 13, 14, "unknown vip_mover 'bgp' (hint: use arp (keepalived announces the VIPs on a shared layer-2 segment) or provider"),
        ["provider hook program not absolute"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { command: [hook.sh, x] }"), 14, 30,
            "the program 'hook.sh' is not an absolute path (hint: name it by its full path (e.g. /usr/share/keepwire/provider-hooks/generic-http)"),
        ["provider hook command empty"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { command: [] }"), 14, 29, "command must hold the program and at most 15 arguments"),
        ["provider hook without command"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { timeout: 5s }"), 14, 18, "provider_hook is missing required key 'command'"),
        ["provider hook timeout too long"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { command: [/h], timeout: 10m }"), 14, 44, "provider_hook timeout 10m is out of range (hint: use a duration from 100ms to 5m)"),
        ["provider hook check_interval too short"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { command: [/h], check_interval: 500ms }"), 14, 51, "provider_hook check_interval 500ms is out of range (hint: use a duration from 1s to 1h)"),
        ["unknown provider_hook key"] = (ConfigText.Pair.Replace(13, "  vip_mover: provider", "  provider_hook: { command: [/h], check_intervall: 5s }"), 14, 35, "unknown key 'check_intervall' in provider_hook (hint: did you mean 'check_interval'?)"),
        ["VIP is the second hub's tunnel address"] = (ConfigText.Pair.Replace(21, "    vips: [10.77.0.2]"), 21, 12, "VIP 10.77.0.2 of service 'web' is the tunnel address of hub 'hub2'"),
    };

    [Fact]
    public void The_unbroken_pair_configuration_is_valid() => ConfigText.Pair.AssertValid(FileName);
}
