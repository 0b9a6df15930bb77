using System.Net;
using Keepwire.Adapters.WireGuard;
using static Keepwire.Reconciliation.SiteNetworkReconciler;
using static Keepwire.Tests.Network.TestKeys;

namespace Keepwire.Tests.Network;

public class SiteEndpointChoiceTests
{
    private const int Port = 51820;
    private const int Keepalive = 25;
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress V6 = IPAddress.Parse("2001:db8::1");
    private static readonly IPAddress V4 = IPAddress.Parse("203.0.113.1");

    private static WireGuardPeerState Peer(IPAddress? endpoint, DateTimeOffset? handshake) =>
        new(Key(2), endpoint is null ? null : new IPEndPoint(endpoint, Port), [], handshake, 0, 0, Keepalive);

    [Fact]
    public void First_pass_takes_the_most_preferred_address()
    {
        var choice = EndpointChoice.Decide([V6, V4], Port, peer: null, Now, lastSetAt: null, Keepalive);

        Assert.Equal(new IPEndPoint(V6, Port), choice.Endpoint);
        Assert.False(choice.Refresh);
    }

    [Fact]
    public void Working_endpoint_is_kept_even_if_not_the_preferred_one()
    {
        var choice = EndpointChoice.Decide([V6, V4], Port, Peer(V4, Now.AddSeconds(-100)), Now, Now.AddMinutes(-30), Keepalive);

        Assert.Equal(new IPEndPoint(V4, Port), choice.Endpoint);
        Assert.False(choice.Refresh);
    }

    [Fact]
    public void Healthy_tunnel_with_responder_session_is_not_stale()
    {
        // The site may be responder: its session lives until REJECT_AFTER_TIME, its next keepalive then rekeys.
        var age = EndpointChoice.RejectAfterTime + TimeSpan.FromSeconds(Keepalive);

        var choice = EndpointChoice.Decide([V4], Port, Peer(V4, Now - age), Now, null, Keepalive);

        Assert.False(choice.Refresh);
    }

    [Fact]
    public void Changed_dns_answer_is_followed_at_once()
    {
        var moved = IPAddress.Parse("203.0.113.77");

        var choice = EndpointChoice.Decide([moved], Port, Peer(V4, Now.AddSeconds(-5)), Now, Now.AddSeconds(-1), Keepalive);

        Assert.Equal(new IPEndPoint(moved, Port), choice.Endpoint);
    }

    [Fact]
    public void Stale_handshake_moves_to_the_next_address_and_wraps()
    {
        var stale = Now - EndpointChoice.StaleAfter(Keepalive) - TimeSpan.FromSeconds(1);

        var fromV6 = EndpointChoice.Decide([V6, V4], Port, Peer(V6, stale), Now, null, Keepalive);
        var fromV4 = EndpointChoice.Decide([V6, V4], Port, Peer(V4, stale), Now, null, Keepalive);

        Assert.Equal(new IPEndPoint(V4, Port), fromV6.Endpoint);
        Assert.Equal(new IPEndPoint(V6, Port), fromV4.Endpoint);
        Assert.True(fromV6.Refresh);
    }

    [Fact]
    public void Single_address_is_set_again_when_stale()
    {
        var choice = EndpointChoice.Decide([V4], Port, Peer(V4, handshake: null), Now, Now - EndpointChoice.RetryInterval, Keepalive);

        Assert.Equal(new IPEndPoint(V4, Port), choice.Endpoint);
        Assert.True(choice.Refresh);
    }

    [Fact]
    public void Retries_are_paced()
    {
        var choice = EndpointChoice.Decide([V6, V4], Port, Peer(V6, handshake: null), Now, Now.AddSeconds(-3), Keepalive);

        Assert.Equal(new IPEndPoint(V6, Port), choice.Endpoint);
        Assert.False(choice.Refresh);
    }

    [Fact]
    public void Unresolvable_hub_leaves_the_endpoint_alone()
    {
        var choice = EndpointChoice.Decide([], Port, Peer(V4, null), Now, null, Keepalive);

        Assert.Null(choice.Endpoint);
        Assert.False(choice.Refresh);
    }
}
