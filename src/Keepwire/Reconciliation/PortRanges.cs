namespace Keepwire.Reconciliation;

/// <summary>Port ranges as nft set elements want them: sorted, with overlapping and adjacent ranges merged (nft rejects overlaps in one set).</summary>
internal static class PortRanges
{
    public static IReadOnlyList<(int First, int Last)> Merge(IEnumerable<(int First, int Last)> ranges)
    {
        var merged = new List<(int First, int Last)>();
        foreach (var range in ranges.OrderBy(range => range.First))
        {
            if (merged.Count > 0 && range.First <= merged[^1].Last + 1)
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, range.Last));
            else
                merged.Add(range);
        }
        return merged;
    }

    /// <summary><c>{ 80, 443, 10000-10100 }</c>.</summary>
    public static string NftSet(IEnumerable<(int First, int Last)> ranges) =>
        "{ " + string.Join(", ", Merge(ranges).Select(r => r.First == r.Last ? $"{r.First}" : $"{r.First}-{r.Last}")) + " }";
}
