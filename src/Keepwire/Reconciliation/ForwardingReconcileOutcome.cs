namespace Keepwire.Reconciliation;

public enum ForwardingReconcileAction
{
    /// <summary>The table was absent and has been created.</summary>
    Created,

    /// <summary>The table's structure differed (another fingerprint) and it has been replaced in one transaction.</summary>
    Rebuilt,

    /// <summary>The structure matched; only set and map elements were changed.</summary>
    UpdatedElements,

    /// <summary>The table already matched: nothing was applied.</summary>
    Unchanged,
}

/// <summary>What <see cref="ForwardingReconciler.ReconcileAsync"/> did.</summary>
/// <param name="ChangedElements">For <see cref="ForwardingReconcileAction.UpdatedElements"/>: elements added, removed or repointed; otherwise 0.</param>
public sealed record ForwardingReconcileOutcome(ForwardingReconcileAction Action, int ChangedElements = 0)
{
    public static ForwardingReconcileOutcome Created { get; } = new(ForwardingReconcileAction.Created);
    public static ForwardingReconcileOutcome Rebuilt { get; } = new(ForwardingReconcileAction.Rebuilt);
    public static ForwardingReconcileOutcome Unchanged { get; } = new(ForwardingReconcileAction.Unchanged);

    public static ForwardingReconcileOutcome UpdatedElements(int count) => new(ForwardingReconcileAction.UpdatedElements, count);

    public override string ToString() =>
        Action == ForwardingReconcileAction.UpdatedElements ? $"UpdatedElements({ChangedElements})" : Action.ToString();
}
