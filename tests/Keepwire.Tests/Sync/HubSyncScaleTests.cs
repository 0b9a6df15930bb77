using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.State;
using Keepwire.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Sync;

/// <summary>A pair with many services: the whole state still reaches the peer.</summary>
public sealed class HubSyncScaleTests : IAsyncDisposable
{
    private static readonly IPEndPoint AnyPort = new(IPAddress.IPv6Any, 0);
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);
    private readonly SyncFixture _pair = new();
    private readonly Channel<ReceivedSyncMessage> _received = Channel.CreateUnbounded<ReceivedSyncMessage>();
    private readonly HubSyncChannel _hub2;

    public HubSyncScaleTests()
    {
        _hub2 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [], _pair.Hub2Codec, new HubSyncReplayGuard("hub1", Freshness, TimeProvider.System), _received.Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        _hub2.Start();
    }

    [Fact]
    public async Task A_thousand_services_each_pinned_reach_the_peer_whole()
    {
        var message = Large(1000, DateTimeOffset.UtcNow);
        await using var hub1 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [new IPEndPoint(IPAddress.Loopback, _hub2.LocalPort)], _pair.Hub1Codec, new HubSyncReplayGuard("hub2", Freshness, TimeProvider.System), Channel.CreateUnbounded<ReceivedSyncMessage>().Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        hub1.Start();

        Assert.Equal(1, await hub1.SendAsync(message, CancellationToken.None));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = (await _received.Reader.ReadAsync(timeout.Token)).Message;
        Assert.Equal(1000, received.Services.Count);
        Assert.Equal(message.Services, received.Services);
        Assert.True(received.Intent.SameAs(message.Intent));
    }

    /// <summary>Names as long as a config allows would be unusual; these are ordinary ones.</summary>
    internal static HubSyncMessage Large(int services, DateTimeOffset sentAt)
    {
        var decisions = Enumerable.Range(0, services)
            .Select(i => new SyncedDecision(
                $"service-{i.ToString("D4", CultureInfo.InvariantCulture)}",
                i % 3 == 0 ? "alpha" : "bravo",
                sentAt.AddSeconds(-i),
                i,
                i % 2 == 0,
                DecisionReason.Failover,
                sentAt.AddSeconds(-2 * i)))
            .ToList();
        var intent = decisions.Aggregate(OperatorIntent.None.WithDrain("charlie", true), (all, d) => all.WithPin(d.Service, "alpha"));
        return new HubSyncMessage("hub1", SyncFixture.BootA, 1, sentAt, true, decisions, intent);
    }

    public async ValueTask DisposeAsync()
    {
        await _hub2.DisposeAsync();
        _pair.Dispose();
    }
}
