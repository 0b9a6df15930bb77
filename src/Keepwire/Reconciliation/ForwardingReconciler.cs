using Keepwire.Adapters.Nftables;
using Microsoft.Extensions.Logging;
using static Keepwire.Reconciliation.NftForwardingTable;

namespace Keepwire.Reconciliation;

/// <summary>
/// Makes the kernel's <c>inet keepwire</c> table match a <see cref="HubDataPlane"/>, level-triggered:
/// read what is there, compare, apply the difference in one <c>nft -f</c> transaction. A restarted
/// daemon adopts a table of the same structure and only syncs its elements. No other table is touched.
/// Not thread-safe: one caller (the hub loop) at a time.
/// </summary>
/// <remarks>
/// The hub asks for this every reconcile pass (every second), and listing the table runs <c>nft</c> twice. So a
/// pass first reads the kernel's ruleset generation (<see cref="INftables.ReadGenerationAsync"/>): when it is the
/// one at which a listing last found the table exactly as desired, and the desired plane is that same plane, no
/// transaction anywhere has touched any table since and the table is still right; nothing is listed. Any commit,
/// ours or anyone's (an operator's <c>nft</c>, a firewall reload), changes the generation, and the next pass lists
/// and repairs as before. Where the generation cannot be read, every pass lists.
/// </remarks>
public sealed partial class ForwardingReconciler(INftables nftables, ILogger<ForwardingReconciler> logger)
{
    private HubDataPlane? _verifiedPlane;
    private uint? _verifiedGeneration;

    public async Task<ForwardingReconcileOutcome> ReconcileAsync(HubDataPlane desired, CancellationToken cancellationToken = default)
    {
        // Read before the listing: a change made after this read carries a later generation, seen next pass.
        var generation = await nftables.ReadGenerationAsync(cancellationToken);
        if (generation is not null && generation == _verifiedGeneration && _verifiedPlane is not null && _verifiedPlane.SameAs(desired))
            return ForwardingReconcileOutcome.Unchanged;

        _verifiedPlane = null;
        var outcome = await ReconcileByListingAsync(desired, cancellationToken);
        // After a transaction of ours the generation has moved on: the next pass lists once more and then rests.
        if (outcome == ForwardingReconcileOutcome.Unchanged)
            (_verifiedPlane, _verifiedGeneration) = (desired, generation);
        return outcome;
    }

    private async Task<ForwardingReconcileOutcome> ReconcileByListingAsync(HubDataPlane desired, CancellationToken cancellationToken)
    {
        var ruleset = NftRulesetRenderer.Render(desired);
        var actual = await nftables.ReadTableAsync(Family, Name, cancellationToken);

        if (actual is null)
        {
            await nftables.ApplyAsync(ruleset.ReplaceScript, cancellationToken);
            Log.Created(logger, ruleset.Fingerprint, desired.Rules.Count);
            return ForwardingReconcileOutcome.Created;
        }

        if (!SameStructure(actual, ruleset))
        {
            await nftables.ApplyAsync(ruleset.ReplaceScript, cancellationToken);
            Log.Rebuilt(logger, actual.Comment ?? "(none)", ruleset.Comment);
            return ForwardingReconcileOutcome.Rebuilt;
        }

        var diff = NftElementDiff.Compute(actual.Elements, ruleset.Elements);
        if (diff.IsEmpty)
            return ForwardingReconcileOutcome.Unchanged;

        await nftables.ApplyAsync(diff.ToScript(Family, Name), cancellationToken);
        Log.UpdatedElements(logger, diff.ChangedElements);
        return ForwardingReconcileOutcome.UpdatedElements(diff.ChangedElements);
    }

    /// <summary>Deletes the table (teardown). Succeeds when it is already absent.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        _verifiedPlane = null;
        // "add" first makes the delete valid when the table is absent, in the same transaction.
        await nftables.ApplyAsync($"add table {Family} {Name}\ndelete table {Family} {Name}\n", cancellationToken);
        Log.Removed(logger);
    }

    /// <summary>
    /// Same fingerprint and the same sets and maps: ours and the ones the kernel fills (their elements are not ours to
    /// diff). The fingerprint is the contract; checking the set names as well catches a hand-edited table cheaply,
    /// before an element update would fail on it.
    /// </summary>
    private static bool SameStructure(NftTableState actual, NftRuleset desired) =>
        actual.Comment == desired.Comment &&
        actual.Elements.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(desired.Elements.Keys.Concat(KernelSetNames));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Created nftables table inet keepwire (schema {Fingerprint}, {RuleCount} forwarding rules)")]
        public static partial void Created(ILogger logger, string fingerprint, int ruleCount);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt nftables table inet keepwire: found \"{Found}\", want \"{Wanted}\"")]
        public static partial void Rebuilt(ILogger logger, string found, string wanted);

        [LoggerMessage(Level = LogLevel.Information, Message = "Updated {Count} elements of nftables table inet keepwire")]
        public static partial void UpdatedElements(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "Removed nftables table inet keepwire")]
        public static partial void Removed(ILogger logger);
    }
}
