using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Processes;
using Keepwire.Health.Liveness;
using Keepwire.IntegrationTests.Forwarding;
using Keepwire.IntegrationTests.Network;

namespace Keepwire.IntegrationTests.Liveness;

/// <summary>
/// The liveness stream of a site without an agent, on the real kernel: two namespaces on a veth pair, the "hub" with
/// the raw ICMP socket, the "site" with nothing running. The site's kernel answers the echo request, and the reply's
/// data is the liveness datagram the hub sent, from the site's address, on the hub's end of the link, with the time the
/// kernel received it.
/// </summary>
[Collection("namespaces")]
public sealed class IcmpLivenessSocketTests : IAsyncLifetime
{
    private static readonly IPAddress Hub4 = IPAddress.Parse("10.201.0.1");
    private static readonly IPAddress Site4 = IPAddress.Parse("10.201.0.2");
    private static readonly IPAddress Hub6 = IPAddress.Parse("fd20:1::1");
    private static readonly IPAddress Site6 = IPAddress.Parse("fd20:1::2");

    private readonly NamespaceScope _scope = new();

    public async Task InitializeAsync()
    {
        var hub = await _scope.CreateNamespaceAsync("h");
        var site = await _scope.CreateNamespaceAsync("s");
        await hub.RunCheckedAsync("ip", ["link", "add", "lh", "type", "veth", "peer", "name", "ls", "netns", _scope.NamespaceName("s")]);
        await hub.RunCheckedAsync("ip", ["addr", "add", $"{Hub4}/24", "dev", "lh"]);
        await hub.RunCheckedAsync("ip", ["addr", "add", $"{Hub6}/64", "dev", "lh", "nodad"]);
        await hub.RunCheckedAsync("ip", ["link", "set", "lh", "up"]);
        await site.RunCheckedAsync("ip", ["addr", "add", $"{Site4}/24", "dev", "ls"]);
        await site.RunCheckedAsync("ip", ["addr", "add", $"{Site6}/64", "dev", "ls", "nodad"]);
        await site.RunCheckedAsync("ip", ["link", "set", "ls", "up"]);
    }

    public Task DisposeAsync() => _scope.CleanUpAsync();

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public async Task A_site_without_an_agent_answers_the_liveness_datagram_through_its_kernel(AddressFamily family)
    {
        var site = family == AddressFamily.InterNetwork ? Site4 : Site6;
        var (socket, linkIndex) = NamespaceThread.Run(_scope.NamespaceName("h"), () =>
            (new IcmpLivenessSocket(family), NetworkInterfaceIndex("lh")));
        using (socket)
        {
            var datagram = new byte[LivenessEcho.Size];
            var buffer = new byte[LivenessEcho.Size + 1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            // Read as the hub's monitor reads: drained on its beat, without waiting. Neighbour discovery may swallow
            // the first requests; a later one is answered.
            var first = 0x1234_5678_9abc_0001ul;
            LivenessDatagram answer;
            var n = first;
            while (!socket.TryReceive(buffer, out answer))
            {
                LivenessEcho.Write(n++, datagram);
                Assert.True(socket.TrySend(new IPEndPoint(site, 0), datagram), "the echo request could not be sent");
                await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            var read = DateTimeOffset.UtcNow;
            Assert.True(LivenessEcho.TryRead(buffer.AsSpan(0, answer.Length), out var seq), $"the reply carried {answer.Length} bytes that are no liveness datagram");
            Assert.InRange(seq, first, first + 150);
            // The kernel's receive time, not the time it was read: before the read, by at most the 200 ms it waited.
            Assert.NotNull(answer.ReceivedAt);
            Assert.InRange(answer.ReceivedAt.Value, read - TimeSpan.FromSeconds(5), read);

            Assert.Equal(site, answer.Source);
            Assert.Equal(linkIndex, answer.InterfaceIndex);
        }
    }

    private static int NetworkInterfaceIndex(string name) =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces().Single(i => i.Name == name).GetIPProperties() is var properties
            ? properties.GetIPv4Properties()?.Index ?? properties.GetIPv6Properties().Index
            : 0;
}
