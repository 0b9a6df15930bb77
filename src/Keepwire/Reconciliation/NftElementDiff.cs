using System.Text;
using Keepwire.Adapters.Nftables;

namespace Keepwire.Reconciliation;

/// <summary>One element to delete from or add to a named set or map.</summary>
public sealed record NftElementChange(string Set, NftElement Element);

/// <summary>
/// The element operations that turn the actual sets and maps into the desired ones. A map key
/// whose value changed is deleted and added again: <c>add element</c> on an existing key fails,
/// and both in one <c>nft -f</c> transaction repoint the key atomically.
/// </summary>
/// <param name="ChangedElements">Distinct elements (map keys) added, removed or repointed.</param>
public sealed record NftElementDiff(IReadOnlyList<NftElementChange> Deletions, IReadOnlyList<NftElementChange> Additions, int ChangedElements)
{
    public bool IsEmpty => Deletions.Count == 0 && Additions.Count == 0;

    /// <summary>Compares the sets named in <paramref name="desired"/>; a set missing from <paramref name="actual"/> counts as empty.</summary>
    public static NftElementDiff Compute(
        IReadOnlyDictionary<string, IReadOnlySet<NftElement>> actual,
        IReadOnlyDictionary<string, IReadOnlySet<NftElement>> desired)
    {
        var deletions = new List<NftElementChange>();
        var additions = new List<NftElementChange>();
        var changedKeys = new HashSet<(string, string)>();

        foreach (var (set, wanted) in desired.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var present = actual.TryGetValue(set, out var existing) ? existing : new HashSet<NftElement>();
            foreach (var element in present.Where(e => !wanted.Contains(e)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                // Deleting takes the key only; a repointed key is deleted here and added below.
                deletions.Add(new NftElementChange(set, element with { Value = null }));
                changedKeys.Add((set, element.Key));
            }
            foreach (var element in wanted.Where(e => !present.Contains(e)).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                additions.Add(new NftElementChange(set, element));
                changedKeys.Add((set, element.Key));
            }
        }

        return new NftElementDiff(deletions, additions, changedKeys.Count);
    }

    /// <summary>The nft script applying this diff: all deletions, then all additions, as one transaction.</summary>
    public string ToScript(string family, string table)
    {
        var script = new StringBuilder();
        Append(script, "delete", family, table, Deletions);
        Append(script, "add", family, table, Additions);
        return script.ToString();
    }

    private static void Append(StringBuilder script, string verb, string family, string table, IReadOnlyList<NftElementChange> changes)
    {
        foreach (var group in changes.GroupBy(c => c.Set))
            script.Append($"{verb} element {family} {table} {group.Key} {{ {string.Join(", ", group.Select(c => c.Element))} }}\n");
    }
}
