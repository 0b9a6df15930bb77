using Keepwire.Adapters.Conntrack;
using Keepwire.Decisions;
using Keepwire.Reconciliation;

namespace Keepwire.Hub;

/// <summary>
/// The conntrack half of an unplanned switch: once the maps point elsewhere, the switched
/// service's flows to the site it left are deleted, so their retransmitted SYNs and next datagrams
/// are NATed afresh to the new site. Only that service's flows (<see cref="ServiceFlowSelectors"/>):
/// a false failover of one service leaves another's open connections to the same site alone.
/// </summary>
public sealed partial class HubDaemon
{
    private readonly Lock _flushesLock = new();
    private readonly HashSet<Task> _flushes = [];

    /// <summary>
    /// Starts the flushes for the unplanned switches among <paramref name="changed"/>, whose maps are
    /// already applied (all services in one transaction). They run beside the decision loop, each
    /// service on its own: every conntrack delete walks the whole table, and a long one must hold up
    /// neither the next switch nor another service's flush.
    /// </summary>
    private void StartFlowFlushes(IReadOnlyList<ServiceDecision> changed)
    {
        foreach (var decision in changed)
        {
            if (decision.Planned || decision.PreviousSite is not { } failed
                || _config.FindSite(failed) is not { } site || _config.FindService(decision.Service) is not { } service)
                continue;
            var selectors = ServiceFlowSelectors.For(_config.Services, service, site.Tunnel);
            var flush = Task.Run(() => FlushFlowsAsync(service.Name, site.Name, selectors));
            lock (_flushesLock)
                _flushes.Add(flush);
            _ = flush.ContinueWith(
                done =>
                {
                    lock (_flushesLock)
                        _flushes.Remove(done);
                },
                TaskScheduler.Default);
        }
    }

    private async Task FlushFlowsAsync(string service, string site, IReadOnlyList<FlowSelector> selectors)
    {
        var started = _time.GetTimestamp();
        try
        {
            var deleted = 0;
            foreach (var selector in selectors)
                deleted += await _conntrack.DeleteFlowsAsync(selector);
            var milliseconds = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            Log.FlowsFlushed(_logger, deleted, service, site, milliseconds);
        }
        catch (Exception e)
        {
            // The switch itself stands: new connections already go to the new site. Flows left
            // behind only make their own retransmissions wait for the old entries to expire.
            Log.FlushFailed(_logger, service, site, e.Message);
        }
    }

    /// <summary>Lets running flushes finish: a stopping daemon leaves no half-done switch behind.</summary>
    private async Task WaitForFlowFlushesAsync()
    {
        Task[] running;
        lock (_flushesLock)
            running = [.. _flushes];
        await Task.WhenAll(running);
    }
}
