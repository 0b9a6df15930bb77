using System.Text.RegularExpressions;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// The kernel handles of a table and of the objects in it (maps, sets, chains), read from
/// <c>nft -a list table</c>. The kernel gives every newly created object a new handle, so equal
/// handles before and after mean the objects were kept, not deleted and created again.
/// </summary>
public static partial class NftHandles
{
    /// <summary>"table inet keepwire" → 2, "map fwd4" → 6, …</summary>
    public static async Task<IReadOnlyDictionary<string, long>> ReadAsync(LabHandle lab, string host, string family, string table)
    {
        var listing = await lab.ExecAsync(host, "nft", "-a", "list", "table", family, table);
        Assert.True(listing.Succeeded, $"nft list table {family} {table} failed: {listing.StandardError}");
        var handles = ObjectHeader().Matches(listing.StandardOutput)
            .ToDictionary(m => $"{m.Groups["kind"].Value} {m.Groups["name"].Value}", m => long.Parse(m.Groups["handle"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(handles.ContainsKey($"table {family} {table}"), $"no table handle in:\n{listing.StandardOutput}");
        return handles;
    }

    public static string Describe(IReadOnlyDictionary<string, long> handles) =>
        string.Join(", ", handles.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}"));

    [GeneratedRegex(@"^\s*(?<kind>table|map|set|chain) (?<name>(?:inet|ip|ip6) \S+|\S+) \{ # handle (?<handle>\d+)$", RegexOptions.Multiline)]
    private static partial Regex ObjectHeader();
}
