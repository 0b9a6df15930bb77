namespace Keepwire.Adapters.Routing;

/// <summary>
/// Whether the links, addresses or routes the hub keeps may have changed since it last looked: lets a reconcile
/// pass skip reading them (five runs of <c>ip</c>) while nothing moved, and still repair drift on the next pass.
/// </summary>
public interface IRoutingChanges
{
    /// <summary>
    /// True when anything may have changed since the previous call, and always when that cannot be known;
    /// then forgets it. Call it before reading, so a change made while reading shows next time.
    /// </summary>
    bool TakeChanged();
}

/// <summary>No knowledge of changes: every pass reads everything (tests and tools acting on another namespace).</summary>
public sealed class AlwaysChanged : IRoutingChanges
{
    public static AlwaysChanged Instance { get; } = new();

    public bool TakeChanged() => true;
}
