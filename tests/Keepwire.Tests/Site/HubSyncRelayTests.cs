using System.Net;
using Keepwire.Site;

namespace Keepwire.Tests.Site;

public sealed class HubSyncRelayTests
{
    private static readonly IPAddress[] Hubs =
        [IPAddress.Parse("10.77.0.1"), IPAddress.Parse("fd77::1"), IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2")];

    [Fact]
    public void A_datagram_from_a_hub_goes_to_every_other_hub_of_its_family()
    {
        Assert.Equal([IPAddress.Parse("10.77.0.2")], HubSyncRelay.Destinations(IPAddress.Parse("10.77.0.1"), Hubs));
        Assert.Equal([IPAddress.Parse("fd77::1")], HubSyncRelay.Destinations(IPAddress.Parse("fd77::2"), Hubs));
    }

    [Fact]
    public void A_datagram_from_anyone_else_goes_nowhere()
    {
        Assert.Empty(HubSyncRelay.Destinations(IPAddress.Parse("10.77.0.11"), Hubs));
        Assert.Empty(HubSyncRelay.Destinations(IPAddress.Parse("198.51.100.7"), Hubs));
    }

    [Fact]
    public async Task Relays_over_loopback_and_counts_what_it_drops()
    {
        // Loopback stands in for the tunnels: the "site" listens on 127.0.0.1, "hub1" sends from 127.0.0.2 and
        // "hub2" listens on 127.0.0.3; a stranger at 127.0.0.4 is dropped.
        var port = FreeUdpPort();
        using var relay = new HubSyncRelay([IPAddress.Parse("127.0.0.1")], [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")], port);
        Assert.Equal(1, relay.EnsureListening());
        using var hub1 = Bound("127.0.0.2", port);
        using var hub2 = Bound("127.0.0.3", port);
        using var stranger = Bound("127.0.0.4", port);
        var site = new IPEndPoint(IPAddress.Loopback, port);

        await stranger.SendToAsync(new byte[] { 9 }, site);
        await hub1.SendToAsync(new byte[] { 1, 2, 3 }, site);

        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = await hub2.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..received.ReceivedBytes]);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), received.RemoteEndPoint);
        // The relay counts a datagram once its send returned, which may be just after hub2 has it: wait for the count.
        var expected = new HubSyncRelayCounters(port, 1, Relayed: 1, Dropped: 1, SendFailures: 0);
        await Eventually.True(() => relay.Counters == expected);
    }

    private static System.Net.Sockets.Socket Bound(string address, int port)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
        return socket;
    }

    private static int FreeUdpPort()
    {
        using var probe = Bound("127.0.0.1", 0);
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
