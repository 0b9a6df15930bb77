using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Keepwire.Lab;

/// <summary>
/// How a lab names what it creates, and how cleanup recognises a lab's leftovers. Every name
/// a lab makes starts with its prefix, so two labs (or a lab and another test) never collide,
/// and a crashed lab can be found again from the names alone.
/// </summary>
public static partial class LabNaming
{
    /// <summary>The hosts of a lab, each one network namespace named <c>{prefix}-{host}</c>.</summary>
    public static readonly IReadOnlyList<string> Hosts = ["net", "hub", "alpha", "bravo", "nat", "charlie", "client"];

    /// <summary>
    /// Longest allowed prefix: the WireGuard interfaces are named <c>{prefix}</c> plus one letter and
    /// Linux interface names have at most 15 characters.
    /// </summary>
    public const int MaxPrefixLength = 14;

    /// <summary>A fresh prefix: <c>kw</c> and four random hex digits.</summary>
    public static string NewPrefix() => "kw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));

    public static bool IsValidPrefix(string prefix) => prefix.Length <= MaxPrefixLength && ValidPrefix().IsMatch(prefix);

    public static void EnsureValidPrefix(string prefix)
    {
        if (!IsValidPrefix(prefix))
            throw new ArgumentException($"Lab prefix '{prefix}' is invalid: use 2 to {MaxPrefixLength} lowercase letters or digits, starting with a letter (e.g. kw1a2b).", nameof(prefix));
    }

    public static string NamespaceOf(string prefix, string host) => $"{prefix}-{host}";

    /// <summary>
    /// The prefixes of labs whose namespaces are in <paramref name="namespaceNames"/>. Only the
    /// default naming (<c>kw</c> + 4 hex digits) is recognised, and only through the
    /// <c>-net</c> namespace, which a lab creates first and deletes last: a partial lab always has
    /// it, and another project's <c>kw1234-hub</c> alone is never mistaken for a lab.
    /// </summary>
    public static IReadOnlyList<string> LabPrefixesFromNamespaces(IEnumerable<string> namespaceNames) =>
        namespaceNames
            .Select(name => DefaultLabNetNamespace().Match(name))
            .Where(match => match.Success)
            .Select(match => match.Groups["prefix"].Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    [GeneratedRegex("^[a-z][a-z0-9]{1,13}$")]
    private static partial Regex ValidPrefix();

    [GeneratedRegex("^(?<prefix>kw[0-9a-f]{4})-net$")]
    private static partial Regex DefaultLabNetNamespace();
}
