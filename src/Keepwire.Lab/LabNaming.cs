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
    /// <summary>The hosts of a single-hub lab, each one network namespace named <c>{prefix}-{host}</c>.</summary>
    public static readonly IReadOnlyList<string> Hosts = ["net", "hub", "alpha", "bravo", "nat", "charlie", "client"];

    /// <summary>The hosts of a hub-pair lab: two hubs instead of one.</summary>
    public static readonly IReadOnlyList<string> PairHosts = ["net", "hub1", "hub2", "alpha", "bravo", "nat", "charlie", "client"];

    /// <summary>
    /// Longest allowed prefix: the WireGuard interfaces are named <c>{prefix}</c> plus one letter and
    /// Linux interface names have at most 15 characters.
    /// </summary>
    public const int MaxPrefixLength = 14;

    /// <summary>Longest prefix of a hub-pair lab: its WireGuard interfaces take two characters (kw1a2ba2: alpha's to hub2).</summary>
    public const int MaxPairPrefixLength = MaxPrefixLength - 1;

    /// <summary>A fresh prefix: <c>kw</c> and four random hex digits.</summary>
    public static string NewPrefix() => "kw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));

    public static bool IsValidPrefix(string prefix) => prefix.Length <= MaxPrefixLength && ValidPrefix().IsMatch(prefix);

    public static void EnsureValidPrefix(string prefix)
    {
        if (!IsValidPrefix(prefix))
            throw new ArgumentException($"Lab prefix '{prefix}' is invalid: use 2 to {MaxPrefixLength} lowercase letters or digits, starting with a letter (e.g. kw1a2b).", nameof(prefix));
    }

    public static bool IsValidPairPrefix(string prefix) => IsValidPrefix(prefix) && prefix.Length <= MaxPairPrefixLength;

    public static void EnsureValidPairPrefix(string prefix)
    {
        if (!IsValidPairPrefix(prefix))
            throw new ArgumentException($"Lab prefix '{prefix}' is too long for a hub pair: at most {MaxPairPrefixLength} characters, since each WireGuard interface adds two (e.g. {prefix}h2) and Linux allows 15.", nameof(prefix));
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
