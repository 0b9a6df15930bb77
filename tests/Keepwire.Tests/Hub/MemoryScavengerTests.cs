using Keepwire.Hub;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Hub;

/// <summary>The hub hands freed memory back every two minutes: a full compacting collection, then malloc_trim.</summary>
[Collection(FullCollections)]
public sealed class MemoryScavengerTests
{
    /// <summary>Tests that collect the whole heap and read what the last collection did run one at a time.</summary>
    public const string FullCollections = "full collections";

    [Fact]
    public void A_pass_runs_every_interval_from_the_start_and_none_after_dispose()
    {
        var clock = new FakeTimeProvider();
        var passes = 0;
        var scavenger = new MemoryScavenger(clock, () => passes++);

        scavenger.Start();
        clock.Advance(MemoryScavenger.Interval - TimeSpan.FromSeconds(1));
        Assert.Equal(0, passes);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, passes);
        clock.Advance(MemoryScavenger.Interval * 2);
        Assert.Equal(3, passes);

        scavenger.Dispose();
        clock.Advance(MemoryScavenger.Interval * 2);
        Assert.Equal(3, passes);
    }

    [Fact]
    public void A_real_pass_is_a_full_compacting_collection()
    {
        var fullBefore = GC.CollectionCount(2);

        MemoryScavenger.ReturnFreedMemory();

        Assert.True(GC.CollectionCount(2) > fullBefore);
        var last = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        Assert.Equal(2, last.Generation);
        Assert.True(last.Compacted, "an aggressive collection compacts");
    }
}
