using Keepwire.Sync;

namespace Keepwire.Tests.Sync;

/// <summary>Parts of a large message arriving as relays deliver them: in any order, twice, or not at all.</summary>
public sealed class HubSyncAssemblerTests : IDisposable
{
    private readonly SyncFixture _pair = new();

    [Fact]
    public void Parts_in_any_order_and_from_any_path_make_the_message_once()
    {
        var sent = HubSyncScaleTests.Large(1000, SyncFixture.Start);
        var parts = _pair.Hub1Codec.Encode(sent);
        Assert.True(parts.Count > 4, $"{parts.Count} part(s): the test needs a message of several");
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);

        // Reversed, every part twice (a relayed copy beside the direct one), the direct copy of part 3 only.
        HubSyncAssembly? complete = null;
        foreach (var (part, index) in parts.Select((p, i) => (p, i)).Reverse())
        {
            foreach (var direct in index == 3 ? new[] { false, true } : [false, false])
            {
                var assembly = assembler.Add(part, direct);
                if (assembly.Message is not null)
                    complete = assembly;
                else if (assembly.Rejection is { } rejection)
                    Assert.True(complete is not null && rejection == HubSyncRejection.Duplicate, $"part {index}: {rejection}");
            }
        }

        Assert.NotNull(complete);
        Assert.Equal(sent.Services, complete.Value.Message!.Services);
        Assert.True(complete.Value.Direct);
        // A copy arriving after the message was complete is a duplicate, counted once by its first part.
        Assert.Equal(HubSyncRejection.Duplicate, assembler.Add(parts[0], direct: false).Rejection);
        Assert.Null(assembler.Add(parts[1], direct: false).Rejection);
    }

    [Fact]
    public void A_message_missing_a_part_gives_way_to_newer_ones_and_memory_stays_bounded()
    {
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);
        var incomplete = _pair.Hub1Codec.Encode(HubSyncScaleTests.Large(1000, SyncFixture.Start) with { Sequence = 1 });
        foreach (var part in incomplete.Skip(1))
            Assert.Equal(default, assembler.Add(part, direct: true));

        // The first one's parts are pushed out once MaxPending newer messages have started.
        for (var sequence = 10; sequence < 10 + HubSyncAssembler.MaxPending; sequence++)
            assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [1, 2, 3], SyncFixture.BootA, sequence, index: 0, count: 2), direct: true);

        // The late first part no longer completes anything: the rest of its message is gone.
        Assert.Equal(default, assembler.Add(incomplete[0], direct: true));
    }

    [Fact]
    public void Parts_that_disagree_on_their_count_are_malformed()
    {
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);

        Assert.Equal(default, assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [1], SyncFixture.BootA, 1, index: 0, count: 3), direct: true));
        Assert.Equal(HubSyncRejection.Malformed, assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [2], SyncFixture.BootA, 1, index: 1, count: 2), direct: true).Rejection);
    }

    [Fact]
    public void A_part_numbered_beyond_its_count_or_the_limit_is_malformed()
    {
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);

        Assert.Equal(HubSyncRejection.Malformed, assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [1], SyncFixture.BootA, 1, index: 2, count: 2), direct: true).Rejection);
        Assert.Equal(HubSyncRejection.Malformed, assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [1], SyncFixture.BootA, 1, index: 0, count: HubSyncCodec.MaxParts + 1), direct: true).Rejection);
        Assert.Equal(HubSyncRejection.Malformed, assembler.Add(HubSyncCodecTests.Part(_pair.Hub1Key, [1], SyncFixture.BootA, 0), direct: true).Rejection);
    }

    public void Dispose() => _pair.Dispose();
}
