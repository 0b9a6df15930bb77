using Keepwire.Adapters.Nftables;

namespace Keepwire.Reconciliation;

/// <summary>The rendered <c>inet keepwire</c> table.</summary>
/// <param name="Fingerprint">Hash of the structure (everything but set and map elements).</param>
/// <param name="Comment">The table comment carrying <paramref name="Fingerprint"/>.</param>
/// <param name="Definition">nft text: the table block (structure only) followed by one <c>add element</c> line per non-empty set.</param>
/// <param name="Elements">The elements of every set and map by name, empty ones included.</param>
public sealed record NftRuleset(
    string Fingerprint,
    string Comment,
    string Definition,
    IReadOnlyDictionary<string, IReadOnlySet<NftElement>> Elements)
{
    /// <summary>
    /// Creates the table, or replaces an existing one, in one transaction: <c>add table</c> makes the
    /// <c>delete table</c> valid when the table is absent, and the kernel swaps old for new atomically.
    /// </summary>
    public string ReplaceScript =>
        $"add table {NftForwardingTable.Family} {NftForwardingTable.Name}\n" +
        $"delete table {NftForwardingTable.Family} {NftForwardingTable.Name}\n" +
        Definition;
}
