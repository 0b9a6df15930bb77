using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Keepwire.Adapters.Nftables;

/// <summary>
/// Reads the output of <c>nft -j list table …</c>: the table's handle and comment, and the
/// elements of its sets and maps in the canonical text form of <see cref="NftElement"/>.
/// Chains and rules are not read: the table's comment fingerprints its structure.
/// </summary>
public static class NftJsonListing
{
    /// <summary>Parses a listing; null when it holds no such table.</summary>
    /// <exception cref="NftablesException">The text is not an nft JSON listing this reader understands.</exception>
    public static NftTableState? Parse(string json, string family, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return ParseDocument(document.RootElement, family, name);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new NftablesException(NftablesFailure.UnreadableListing, $"cannot read the JSON listing of table {family} {name}: {e.Message}", innerException: e);
        }
    }

    private static NftTableState? ParseDocument(JsonElement root, string family, string name)
    {
        long? handle = null;
        string? comment = null;
        var elements = new Dictionary<string, IReadOnlySet<NftElement>>(StringComparer.Ordinal);

        foreach (var item in root.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("table", out var table) && Belongs(table, family, name, "name"))
            {
                handle = table.GetProperty("handle").GetInt64();
                comment = table.TryGetProperty("comment", out var c) ? c.GetString() : null;
            }
            else if (TryGetSetOrMap(item, out var set) && Belongs(set, family, name, "table"))
            {
                elements[set.GetProperty("name").GetString()!] = ReadElements(set);
            }
        }

        return handle is { } h ? new NftTableState(family, name, h, comment, elements) : null;
    }

    private static bool TryGetSetOrMap(JsonElement item, out JsonElement set) =>
        item.TryGetProperty("set", out set) || item.TryGetProperty("map", out set);

    private static bool Belongs(JsonElement element, string family, string name, string tableProperty) =>
        element.GetProperty("family").GetString() == family && element.GetProperty(tableProperty).GetString() == name;

    private static HashSet<NftElement> ReadElements(JsonElement set)
    {
        var result = new HashSet<NftElement>();
        if (!set.TryGetProperty("elem", out var elems))
            return result;
        var isMap = set.TryGetProperty("map", out _);
        foreach (var elem in elems.EnumerateArray())
        {
            if (isMap)
            {
                // A map element is a two-item array: [key, value].
                if (elem.ValueKind != JsonValueKind.Array || elem.GetArrayLength() != 2)
                    throw new FormatException($"map element is not a [key, value] pair: {elem.GetRawText()}");
                result.Add(new NftElement(Expression(elem[0]), Expression(elem[1])));
            }
            else
            {
                result.Add(new NftElement(Expression(elem)));
            }
        }
        return result;
    }

    /// <summary>Turns one JSON expression of an element into its canonical nft text.</summary>
    public static string Expression(JsonElement expression)
    {
        switch (expression.ValueKind)
        {
            case JsonValueKind.Number:
                return expression.GetInt64().ToString(CultureInfo.InvariantCulture);
            case JsonValueKind.String:
                return CanonicalAtom(expression.GetString()!);
            case JsonValueKind.Object:
                break;
            default:
                throw new FormatException($"unexpected element expression: {expression.GetRawText()}");
        }

        if (expression.TryGetProperty("concat", out var concat))
            return string.Join(" . ", concat.EnumerateArray().Select(Expression));
        if (expression.TryGetProperty("range", out var range))
            return $"{Expression(range[0])}-{Expression(range[1])}";
        if (expression.TryGetProperty("prefix", out var prefix))
            return NftText.Prefix(IPAddress.Parse(prefix.GetProperty("addr").GetString()!), prefix.GetProperty("len").GetInt32());
        // Elements carrying a timeout or comment are wrapped: {"elem": {"val": …, "comment": …}}.
        if (expression.TryGetProperty("elem", out var wrapped))
            return Expression(wrapped.GetProperty("val"));
        throw new FormatException($"unexpected element expression: {expression.GetRawText()}");
    }

    private static string CanonicalAtom(string text) =>
        IPAddress.TryParse(text, out var address) ? NftText.Address(address) : text;
}
