namespace Keepwire.Configuration.Parsing;

/// <summary>Finds the known key an unknown one was probably meant to be (<c>publick_key</c> → <c>public_key</c>).</summary>
internal static class KeySuggestions
{
    public static string? Closest(string unknown, IEnumerable<string> known)
    {
        var normalized = unknown.Trim().ToLowerInvariant().Replace('-', '_');
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = EditDistance(normalized, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // A third of the length catches typos and camelCase/kebab-case slips without suggesting unrelated keys.
        var tolerance = Math.Max(2, normalized.Length / 3);
        return bestDistance <= tolerance ? best : null;
    }

    /// <summary>Levenshtein distance, with an adjacent swap counted as one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }

        return d[a.Length, b.Length];
    }
}
