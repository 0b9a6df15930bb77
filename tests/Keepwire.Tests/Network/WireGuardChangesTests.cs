using System.Net;
using Keepwire.Adapters.WireGuard;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

public class WireGuardChangesTests
{
    private const string KeyFile = "/etc/keepwire/hub.key";
    private static readonly IPNetwork SiteV4 = IPNetwork.Parse("10.9.0.2/32");
    private static readonly IPNetwork SiteV6 = IPNetwork.Parse("fd00::2/128");
    private static readonly IPEndPoint LearnedEndpoint = IPEndPoint.Parse("198.51.100.7:40000");

    private static WireGuardPeerState Peer(byte key, IPEndPoint? endpoint, int keepalive, params IPNetwork[] allowed) =>
        new(Key(key), endpoint, allowed, DateTimeOffset.UnixEpoch, 0, 0, keepalive);

    private static WireGuardDeviceState HubState(params WireGuardPeerState[] peers) => new(Key(2), 51820, peers);

    private static WireGuardDeviceSpec HubSpec(params WireGuardPeerSpec[] peers) => new(KeyFile, Key(2), 51820, peers);

    /// <summary>All changes as the arguments of one <c>wg set</c>.</summary>
    private static IReadOnlyList<string> Changes(WireGuardDeviceState state, WireGuardDeviceSpec spec) => WireGuardChanges.Compute(state, spec).All;

    [Fact]
    public void Matching_device_needs_no_change()
    {
        var state = HubState(Peer(3, LearnedEndpoint, 0, SiteV4, SiteV6));

        // Allowed IPs in another order are the same set; a learned endpoint is not overwritten by "no endpoint".
        var changes = Changes(state, HubSpec(new WireGuardPeerSpec(Key(3), [SiteV6, SiteV4])));

        Assert.Empty(changes);
    }

    [Fact]
    public void Fresh_device_gets_key_port_and_peers()
    {
        var changes = Changes(
            new WireGuardDeviceState(null, 40000, []),
            HubSpec(new WireGuardPeerSpec(Key(3), [SiteV4, SiteV6])));

        Assert.Equal(
            ["private-key", KeyFile, "listen-port", "51820", "peer", Key(3).Base64, "allowed-ips", "10.9.0.2/32,fd00::2/128"],
            changes);
    }

    [Fact]
    public void Stale_peer_is_removed_and_only_differing_fields_are_set()
    {
        var state = HubState(Peer(3, LearnedEndpoint, 0, SiteV4), Peer(4, null, 0, IPNetwork.Parse("10.9.0.4/32")));

        var changes = Changes(state, HubSpec(new WireGuardPeerSpec(Key(3), [SiteV4, SiteV6])));

        Assert.Equal(
            ["peer", Key(3).Base64, "allowed-ips", "10.9.0.2/32,fd00::2/128", "peer", Key(4).Base64, "remove"],
            changes);
    }

    [Fact]
    public void Site_peer_endpoint_and_keepalive_are_set_when_they_differ()
    {
        var hubEndpoint = IPEndPoint.Parse("[2001:db8::1]:51820");
        var state = new WireGuardDeviceState(Key(5), 45000, [Peer(2, IPEndPoint.Parse("203.0.113.1:51820"), 0, IPNetwork.Parse("0.0.0.0/0"))]);
        var spec = new WireGuardDeviceSpec("/site.key", Key(5), null, [new WireGuardPeerSpec(Key(2), [IPNetwork.Parse("0.0.0.0/0")], hubEndpoint, false, 25)]);

        var changes = Changes(state, spec);

        // No listen-port: the site does not care which port it dials from.
        Assert.Equal(["peer", Key(2).Base64, "endpoint", "[2001:db8::1]:51820", "persistent-keepalive", "25"], changes);
    }

    [Fact]
    public void Refresh_sets_an_unchanged_endpoint_again()
    {
        var endpoint = IPEndPoint.Parse("203.0.113.1:51820");
        var state = new WireGuardDeviceState(Key(5), 45000, [Peer(2, endpoint, 25, IPNetwork.Parse("0.0.0.0/0"))]);
        WireGuardDeviceSpec Spec(bool refresh) =>
            new("/site.key", Key(5), null, [new WireGuardPeerSpec(Key(2), [IPNetwork.Parse("0.0.0.0/0")], endpoint, refresh, 25)]);

        Assert.Empty(Changes(state, Spec(refresh: false)));
        Assert.Equal(["peer", Key(2).Base64, "endpoint", "203.0.113.1:51820"], Changes(state, Spec(refresh: true)));
    }

    [Fact]
    public void Keepalive_is_turned_off_explicitly()
    {
        var state = HubState(Peer(3, null, 25, SiteV4));

        var changes = Changes(state, HubSpec(new WireGuardPeerSpec(Key(3), [SiteV4])));

        Assert.Equal(["peer", Key(3).Base64, "persistent-keepalive", "off"], changes);
    }

    [Fact]
    public void Each_peer_change_stands_on_its_own_so_a_refused_peer_can_be_retried_alone()
    {
        var state = new WireGuardDeviceState(null, 40000, [Peer(4, null, 0, IPNetwork.Parse("10.9.0.4/32"))]);

        var changes = WireGuardChanges.Compute(state, HubSpec(new WireGuardPeerSpec(Key(3), [SiteV4]), new WireGuardPeerSpec(Key(5), [SiteV6])));

        Assert.Equal(["private-key", KeyFile, "listen-port", "51820"], changes.Device);
        Assert.Equal(
            [
                (Key(3), "peer " + Key(3).Base64 + " allowed-ips 10.9.0.2/32"),
                (Key(5), "peer " + Key(5).Base64 + " allowed-ips fd00::2/128"),
                (Key(4), "peer " + Key(4).Base64 + " remove"),
            ],
            changes.Peers.Select(peer => (peer.PublicKey, string.Join(' ', peer.Arguments))));
    }
}
