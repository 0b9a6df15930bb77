using Keepwire.Cli.Commands;
using Keepwire.Hub;

namespace Keepwire.Tests.Hub;

/// <summary>The memory line of <c>keepwire status</c>: what the hub process holds and how much of it is the collector's.</summary>
[Collection(MemoryScavengerTests.FullCollections)]
public sealed class HubMemoryStatusTests
{
    [Fact]
    public void This_process_reports_its_resident_set_the_managed_heap_and_its_collections()
    {
        var kept = new byte[4 * 1024 * 1024];
        GC.Collect();

        var memory = HubMemoryStatus.OfThisProcess();

        Assert.True(memory.ResidentMib > memory.ManagedHeapMib, $"{memory.ResidentMib} MiB resident, {memory.ManagedHeapMib} MiB heap");
        Assert.True(memory.ManagedHeapMib >= 4, $"{memory.ManagedHeapMib} MiB heap holds a 4 MiB array");
        Assert.True(memory.ManagedCommittedMib >= memory.ManagedHeapMib);
        Assert.Equal(3, memory.Collections.Count);
        Assert.True(memory.Collections[2] >= 1, "GC.Collect() collects generation 2");
        Assert.True(memory.AllocatedMib >= 4, $"{memory.AllocatedMib} MiB allocated, a 4 MiB array among it");
        GC.KeepAlive(kept);
    }

    [Fact]
    public void The_status_header_shows_resident_heap_budget_and_collections()
    {
        var status = new HubStatus("hub", "keepwire.yaml", DateTimeOffset.UnixEpoch, null, null, [], [])
        {
            Memory = new HubMemoryStatus(36.4, 5.7, 10.5, 6, 70.2, [11, 1, 0]),
        };
        var output = new StringWriter();

        StatusTable.Write(output, status);

        Assert.Contains("hub memory: 36.4 MiB resident, managed heap 5.7 MiB of 10.5 MiB committed (gen 0 budget 6 MiB); 70 MiB allocated since start, collections 11/1/0 (gen 0/1/2)", output.ToString(), StringComparison.Ordinal);
    }
}
