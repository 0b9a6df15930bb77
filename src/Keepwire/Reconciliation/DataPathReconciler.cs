namespace Keepwire.Reconciliation;

/// <summary>
/// The hub's data path, synced the way kube-proxy does it: the desired forwarding table goes into the
/// kernel in one <c>nft -f</c> transaction (<see cref="ForwardingReconciler"/>), and right after it the
/// conntrack entries of every service that switched in that pass are deleted (<see cref="FlowFlushWorker"/>,
/// beside the loop), so their next packets are NATed to the new site. A switch's flushes wait for the
/// transaction that carries it: if that fails they stay pending and go after the next one that succeeds.
/// Not thread-safe: the hub loop is its one caller.
/// </summary>
/// <param name="observer">Told how long each transaction took and whether it failed.</param>
public sealed class DataPathReconciler(ForwardingReconciler forwarding, FlowFlushWorker worker, IDataPathObserver? observer = null)
{
    private readonly IDataPathObserver _observer = observer ?? IDataPathObserver.None;
    private readonly List<FlowFlush> _waiting = [];
    private bool _tableBehind;

    /// <summary>Switch flushes waiting for a transaction that succeeds.</summary>
    public int PendingFlushes => _waiting.Count;

    /// <summary>
    /// Applies <paramref name="plane"/> when given (null: nothing changed it), then starts this pass's flushes
    /// and those of earlier passes whose transaction failed. Throws when the transaction fails: the kernel keeps
    /// its last table, and the switches' flushes wait for the next pass that carries a plane.
    /// </summary>
    public async Task<ForwardingReconcileOutcome?> ApplyAsync(HubDataPlane? plane, IReadOnlyList<FlowFlush> flushes, CancellationToken cancellationToken = default)
    {
        // Flows towards released VIPs depend on no table: they go at once.
        worker.Submit([.. flushes.OfType<FlowFlush.VipsReleased>()]);
        _waiting.AddRange(flushes.OfType<FlowFlush.ServiceLeftSite>());
        ForwardingReconcileOutcome? outcome = null;
        if (plane is not null)
        {
            _tableBehind = true;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                outcome = await forwarding.ReconcileAsync(plane, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _observer.TableApplied(System.Diagnostics.Stopwatch.GetElapsedTime(started), succeeded: false);
                throw;
            }
            // A pass that found the kernel as wanted ran no transaction: only real ones are timed.
            if (outcome.Action != ForwardingReconcileAction.Unchanged)
                _observer.TableApplied(System.Diagnostics.Stopwatch.GetElapsedTime(started), succeeded: true);
            _tableBehind = false;
        }
        if (!_tableBehind && _waiting.Count > 0)
        {
            worker.Submit([.. _waiting]);
            _waiting.Clear();
        }
        return outcome;
    }

    /// <summary>Lets running flushes finish.</summary>
    public Task WaitForFlushesAsync() => worker.WaitAsync();
}
