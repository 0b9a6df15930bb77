namespace Keepwire.Reconciliation;

/// <summary>
/// What the data path did, for whoever counts it (the hub's metrics): the reconciler and the flush worker report
/// here as they act, so the numbers come from the code that did the work, not from a second account of it.
/// Called from the hub loop (<see cref="TableApplied"/>) and from flush tasks beside it (<see cref="FlowsFlushed"/>).
/// </summary>
public interface IDataPathObserver
{
    /// <summary>
    /// A forwarding-table transaction (read, diff, <c>nft -f</c>) took <paramref name="duration"/>, or failed when
    /// <paramref name="succeeded"/> is false. Passes that found the table as wanted ran none and are not reported.
    /// </summary>
    void TableApplied(TimeSpan duration, bool succeeded);

    /// <summary>Conntrack entries deleted: a switch's flows towards the site it left, or the flows towards VIPs this hub released.</summary>
    void FlowsFlushed(int count);

    /// <summary>Nobody counts.</summary>
    public static readonly IDataPathObserver None = new Nothing();

    private sealed class Nothing : IDataPathObserver
    {
        public void TableApplied(TimeSpan duration, bool succeeded)
        {
        }

        public void FlowsFlushed(int count)
        {
        }
    }
}
