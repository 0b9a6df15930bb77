using System.Globalization;
using System.Net;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.State;
using Keepwire.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Keepwire.Tests.Sync;

/// <summary>A pair with many services: the whole state still reaches the peer.</summary>
public sealed class HubSyncScaleTests(ITestOutputHelper output) : IAsyncLifetime, IAsyncDisposable
{
    private static readonly IPEndPoint AnyPort = new(IPAddress.IPv6Any, 0);
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);
    private readonly SyncFixture _pair = new();
    private readonly Channel<ReceivedSyncMessage> _received = Channel.CreateUnbounded<ReceivedSyncMessage>();

    private HubSyncChannel? _started;

    private HubSyncChannel Hub2 => _started ??= Start();

    private HubSyncChannel Start()
    {
        var hub2 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [], _pair.Hub2Codec, new HubSyncReplayGuard("hub1", Freshness, TimeProvider.System), _received.Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        hub2.Start();
        return hub2;
    }

    [Fact]
    public async Task A_thousand_services_each_pinned_reach_the_peer_whole()
    {
        var message = Large(1000, DateTimeOffset.UtcNow);
        var parts = _pair.Hub1Codec.Encode(message);
        output.WriteLine($"1000 services, each pinned: {parts.Count} parts, {parts.Sum(p => p.Length)} bytes");
        await using var hub1 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [new IPEndPoint(IPAddress.Loopback, Hub2.LocalPort)], _pair.Hub1Codec, new HubSyncReplayGuard("hub2", Freshness, TimeProvider.System), Channel.CreateUnbounded<ReceivedSyncMessage>().Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        hub1.Start();

        Assert.Equal(1, await hub1.SendAsync(message, CancellationToken.None));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = (await _received.Reader.ReadAsync(timeout.Token)).Message;
        Assert.Equal(1000, received.Services.Count);
        Assert.Equal(message.Services, received.Services);
        Assert.True(received.Intent.SameAs(message.Intent));
    }

    [Fact]
    public async Task A_state_too_large_to_send_is_counted_and_logged_never_thrown()
    {
        var random = new Random(11);
        var unsendable = Large(8000, DateTimeOffset.UtcNow);
        unsendable = unsendable with { Services = [.. unsendable.Services.Select(s => s with { Service = Convert.ToHexString(Enumerable.Range(0, 32).Select(_ => (byte)random.Next(256)).ToArray()) })] };
        await using var hub1 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [new IPEndPoint(IPAddress.Loopback, Hub2.LocalPort)], _pair.Hub1Codec, new HubSyncReplayGuard("hub2", Freshness, TimeProvider.System), Channel.CreateUnbounded<ReceivedSyncMessage>().Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        hub1.Start();

        Assert.Equal(0, await hub1.SendAsync(unsendable, CancellationToken.None));
        Assert.Equal(1, hub1.EncodeFailures);

        // The next, smaller state goes out as usual.
        Assert.Equal(1, await hub1.SendAsync(Large(10, DateTimeOffset.UtcNow) with { Sequence = 2 }, CancellationToken.None));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(10, (await _received.Reader.ReadAsync(timeout.Token)).Message.Services.Count);
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

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // xunit 2 ends a test class through IDisposable or IAsyncLifetime only; IAsyncDisposable alone is never called.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
            await _started.DisposeAsync();
        _pair.Dispose();
    }
}
