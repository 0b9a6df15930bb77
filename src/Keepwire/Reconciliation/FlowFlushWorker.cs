using System.Net;
using Keepwire.Adapters.Conntrack;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reconciliation;

/// <summary>
/// Deletes conntrack entries beside the hub's loop. The data-path reconciler hands it each pass's flushes
/// right after the pass's forwarding table is in the kernel; every conntrack run walks the whole table, and
/// a slow one must hold up neither the next switch nor another pass's flush, so each pass's flushes run on
/// their own. Within a pass, the flows of every service that left a site are planned together
/// (<see cref="FlowFlushPlanner"/>): a site that dies under many services costs one listing per family and
/// one delete per VIP, not one per service.
/// </summary>
/// <param name="observer">Told how many entries each flush deleted.</param>
public sealed partial class FlowFlushWorker(IConntrack conntrack, TimeProvider time, ILogger logger, IDataPathObserver? observer = null) : IAsyncDisposable
{
    private readonly IDataPathObserver _observer = observer ?? IDataPathObserver.None;
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];

    /// <summary>Starts deleting <paramref name="flushes"/>; returns at once.</summary>
    public void Submit(IReadOnlyList<FlowFlush> flushes)
    {
        if (flushes.Count == 0)
            return;
        var flush = Task.Run(() => RunAsync(flushes));
        lock (_lock)
            _running.Add(flush);
        _ = flush.ContinueWith(
            done =>
            {
                lock (_lock)
                    _running.Remove(done);
            },
            TaskScheduler.Default);
    }

    /// <summary>Waits for the flushes under way: a stopping daemon leaves no half-done switch behind.</summary>
    public async Task WaitAsync()
    {
        Task[] running;
        lock (_lock)
            running = [.. _running];
        await Task.WhenAll(running);
    }

    public async ValueTask DisposeAsync() => await WaitAsync();

    private async Task RunAsync(IReadOnlyList<FlowFlush> flushes)
    {
        var left = flushes.OfType<FlowFlush.ServiceLeftSite>().ToList();
        foreach (var group in left.SelectMany(f => f.Selectors.Select(s => (Flush: f, Selector: s))).GroupBy(x => x.Selector.Site))
            await FlushSiteAsync(group.Key, [.. group.Select(x => x.Flush.Service).Distinct()], group.Select(x => x.Flush.Site).First(), [.. group.Select(x => x.Selector)]);
        foreach (var released in flushes.OfType<FlowFlush.VipsReleased>())
            await ClearVipsAsync(released.Vips);
    }

    /// <summary>The flows of <paramref name="services"/> that replied from one site address (one family).</summary>
    private async Task FlushSiteAsync(IPAddress address, IReadOnlyList<string> services, string site, IReadOnlyList<FlowSelector> doomed)
    {
        var started = time.GetTimestamp();
        var names = string.Join(", ", services);
        try
        {
            var deletes = FlowFlushPlanner.Direct(doomed);
            var runs = 0;
            if (deletes is null)
            {
                var listed = await conntrack.ListFlowsAsync(address.AddressFamily, address);
                deletes = FlowFlushPlanner.Deletes(doomed, listed, address);
                runs++;
            }
            var deleted = 0;
            foreach (var selector in deletes)
            {
                deleted += await conntrack.DeleteFlowsAsync(selector);
                runs++;
            }
            _observer.FlowsFlushed(deleted);
            var milliseconds = (long)time.GetElapsedTime(started).TotalMilliseconds;
            Log.FlowsFlushed(logger, deleted, names, site, milliseconds, runs);
        }
        catch (Exception e)
        {
            // The switch itself stands: new connections already go to the new site. Flows left
            // behind only make their own retransmissions wait for the old entries to expire.
            Log.FlushFailed(logger, names, site, e.Message);
        }
    }

    private async Task ClearVipsAsync(IReadOnlyList<IPAddress> vips)
    {
        try
        {
            var deleted = 0;
            foreach (var vip in vips)
                deleted += await conntrack.DeleteFlowsToAsync(vip);
            _observer.FlowsFlushed(deleted);
            Log.VipFlowsCleared(logger, deleted);
        }
        catch (Exception e)
        {
            // They expire on their own; only a connection returning to this hub within their lifetime meets them.
            Log.VipFlowsNotCleared(logger, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "deleted {Count} conntrack entries of {Services} towards {Site} in {Milliseconds} ms ({Runs} conntrack runs), so their retransmissions reach the new site")]
        public static partial void FlowsFlushed(ILogger logger, int count, string services, string site, long milliseconds, int runs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete the conntrack entries of {Services} towards {Site}; they expire on their own: {Error}")]
        public static partial void FlushFailed(ILogger logger, string services, string site, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "not holding the VIPs: deleted {Count} conntrack entries towards them, so connections that return with the VIPs meet no stale entry")]
        public static partial void VipFlowsCleared(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete the conntrack entries towards the VIPs; they expire on their own: {Error}")]
        public static partial void VipFlowsNotCleared(ILogger logger, string error);
    }
}
