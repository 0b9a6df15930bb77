using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Keepwire.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Sync;

/// <summary>Two channels on loopback: hub1 sends, hub2 receives, with loopback addresses standing in for the paths.</summary>
public sealed class HubSyncChannelTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly IPEndPoint AnyPort = new(IPAddress.IPv6Any, 0);

    /// <summary>Generous: freshness is the guard's business, and a loaded test machine may delay the receive loop by seconds.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);
    private readonly SyncFixture _pair = new();
    private readonly Channel<ReceivedSyncMessage> _received = Channel.CreateUnbounded<ReceivedSyncMessage>();
    private readonly HubSyncChannel _hub2;

    public HubSyncChannelTests()
    {
        // hub1's pair address is 127.0.0.1; what comes from ::1 stands for a copy relayed by a site.
        _hub2 = new HubSyncChannel(AnyPort, IPAddress.Loopback, [], _pair.Hub2Codec, Guard(), _received.Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        _hub2.Start();
    }

    [Fact]
    public async Task A_message_sent_directly_and_relayed_is_delivered_once_and_marked_direct()
    {
        await using var hub1 = Sender(Direct, Relayed);

        Assert.Equal(2, await hub1.SendAsync(Message(1), CancellationToken.None));

        var received = await NextAsync();
        Assert.Equal(1, received.Message.Sequence);
        Assert.True(received.Direct);
        await Eventually.True(() => _hub2.Rejections()[HubSyncRejection.Duplicate] == 1);
        Assert.Equal(1, _hub2.Admitted);
        Assert.False(_received.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_copy_that_came_only_through_a_site_is_not_direct()
    {
        await using var hub1 = Sender(Relayed);

        await hub1.SendAsync(Message(1), CancellationToken.None);

        Assert.False((await NextAsync()).Direct);
    }

    [Fact]
    public async Task An_unreachable_destination_does_not_keep_the_message_from_the_others()
    {
        // The kernel refuses broadcast without SO_BROADCAST at once, as it refuses a destination without a route.
        await using var hub1 = Sender(new IPEndPoint(IPAddress.Broadcast, 9), Direct);

        var sent = await hub1.SendAsync(Message(1), CancellationToken.None);

        Assert.Equal(1, sent);
        Assert.Equal(1, hub1.SendFailures);
        Assert.Equal(1, (await NextAsync()).Message.Sequence);
    }

    [Fact]
    public async Task Rejects_are_counted_by_reason_and_later_messages_still_arrive()
    {
        await using var hub1 = Sender(Direct);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var reflected = Assert.Single(_pair.Hub2Codec.Encode(SyncFixture.Message(node: "hub2", boot: SyncFixture.BootB, sentAt: DateTimeOffset.UtcNow)));

        await raw.SendToAsync("not a hub sync datagram"u8.ToArray(), Direct);
        await raw.SendToAsync(reflected, Direct);
        await hub1.SendAsync(Message(1), CancellationToken.None);

        Assert.Equal(1, (await NextAsync()).Message.Sequence);
        Assert.Equal(1, _hub2.Rejections()[HubSyncRejection.BadHeader]);
        Assert.Equal(1, _hub2.Rejections()[HubSyncRejection.WrongNode]);
    }

    private IPEndPoint Direct => new(IPAddress.Loopback, _hub2.LocalPort);

    private IPEndPoint Relayed => new(IPAddress.IPv6Loopback, _hub2.LocalPort);

    private HubSyncChannel Sender(params IPEndPoint[] destinations)
    {
        var sender = new HubSyncChannel(AnyPort, IPAddress.Loopback, destinations, _pair.Hub1Codec, new HubSyncReplayGuard("hub2", Freshness, TimeProvider.System), Channel.CreateUnbounded<ReceivedSyncMessage>().Writer, TimeProvider.System, NullLogger<HubSyncChannel>.Instance);
        sender.Start();
        return sender;
    }

    private static HubSyncReplayGuard Guard() => new("hub1", Freshness, TimeProvider.System);

    private static HubSyncMessage Message(long sequence) => SyncFixture.Message(sequence: sequence, sentAt: DateTimeOffset.UtcNow);

    private async Task<ReceivedSyncMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // xunit 2 ends a test class through IDisposable or IAsyncLifetime only; IAsyncDisposable alone is never called.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _hub2.DisposeAsync();
        _pair.Dispose();
    }
}
