using Keepwire.Adapters.Posix;

namespace Keepwire.Hub;

/// <summary>
/// Gives memory the hub no longer uses back to the kernel every <see cref="Interval"/>: a full, compacting collection
/// that also decommits what the managed heap freed (<see cref="GCCollectionMode.Aggressive"/>), then malloc_trim for
/// what native code (libnftables, OpenSSL, the runtime itself) freed in glibc's arenas.
/// Neither is a leak: the GC collects generation 2 only when its budget says so, which on a steady hub can take an
/// hour, and keeps freed regions committed for reuse; glibc keeps freed chunks in each thread's arena. But a hub on a
/// small VPS should hold what it uses, and a slow rise is indistinguishable from a leak to whoever watches it: in a
/// chaos run one hub daemon's RSS rose from 52 to 58 MiB in twenty minutes with two gen-2 collections. Go's runtime
/// forces a collection every two minutes for the same reason and returns freed pages with its scavenger. One pass
/// pauses the hub while it compacts a heap of ten-odd MiB; the loop-lag monitor counts that like any other stall, so
/// no probe that timed out across it is held against a site.
/// </summary>
public sealed class MemoryScavenger : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Action _scavenge;
    private ITimer? _timer;

    /// <param name="scavenge">What one pass does; <see cref="ReturnFreedMemory"/> unless a test counts passes.</param>
    public MemoryScavenger(TimeProvider time, Action? scavenge = null)
    {
        _time = time;
        _scavenge = scavenge ?? ReturnFreedMemory;
    }

    /// <summary>The first pass runs one <see cref="Interval"/> from now: start-up's garbage is gone by then.</summary>
    public void Start() => _timer ??= _time.CreateTimer(_ => _scavenge(), null, Interval, Interval);

    public static void ReturnFreedMemory()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Libc.TrimMalloc();
    }

    public void Dispose() => _timer?.Dispose();
}
