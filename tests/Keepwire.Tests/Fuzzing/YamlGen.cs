using CsCheck;
using Keepwire.Configuration.Parsing;
using Keepwire.Tests.Configuration;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// YAML-shaped hostile input for the configuration loader: structures built from the config's own keys and
/// value shapes (so inputs reach the readers and rules, not only the parser), valid files with random damage,
/// and the shapes known to hurt YAML loaders: deep nesting, huge values, anchors and aliases that multiply or
/// loop, odd Unicode.
/// </summary>
internal static class YamlGen
{
    private static readonly string[] KnownKeys =
    [
        .. new[] { "hubs", "hub_pair", "sites", "services" },
        .. HubReader.Keys, .. SiteReader.Keys, .. ServiceReader.Keys, .. CheckReader.Keys, .. LocalCheckReader.Keys,
        .. HubPairReader.Keys, "ipv4", "ipv6",
    ];

    private static readonly string[] KnownValues =
    [
        "hub", "alpha", "bravo", "web", "kw0", "eth0", "all", "-x", "hub.example.net:51820", "[2001:db8::1]:51820",
        ConfigText.HubKey, ConfigText.AlphaKey, ConfigText.BravoKey, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "10.77.0.1/24", "fd77::1/64", "10.77.0.5", "203.0.113.80", "2001:db8::80", "tcp/80", "udp/53", "tcp/8000-8100",
        "tcp/8080:80", "100ms", "2s", "-1s", "http", "tcp", "udp", "exec", "/healthz", "200-399", "true", "false",
        "null", "~", "failover", "manual", "last_resort", "agent", "snat", "/bin/true", "0", "65535", "99999999999",
        "a: b", "- x", "#", "&", "*", "!", "|", ">", "%", "@", "`", "'", "\"",
    ];

    private static readonly Gen<string> Anchor = Gen.Int[0, 3].Select(i => $"a{i}");

    private static readonly Gen<string> Plain = Gen.Frequency(
        (6, Gen.OneOf(KnownValues.Select(Gen.Const).ToArray())),
        (2, Gen.String.AlphaNumeric),
        (1, FuzzGen.Text.Select(Quote)));

    private static readonly Gen<string> Key = Gen.Frequency(
        (8, Gen.OneOf(KnownKeys.Select(Gen.Const).ToArray())),
        (1, FuzzGen.Text.Select(Quote)));

    /// <summary>A value in flow style (fits on one line anywhere), with now and then an anchor, alias or tag.</summary>
    public static readonly Gen<string> FlowNode = Gen.Recursive<string>((depth, node) =>
    {
        var scalar = Gen.Frequency(
            (8, Plain),
            (1, Anchor.Select(a => $"*{a}")),
            (1, Gen.Const("!!binary aGVsbG8=")));
        if (depth > 5)
            return scalar;
        var list = node.Array[0, 5].Select(items => $"[{string.Join(", ", items)}]");
        var map = Gen.Select(Key, node).Array[0, 5].Select(entries => $"{{{string.Join(", ", entries.Select(e => $"{e.Item1}: {e.Item2}"))}}}");
        var anchored = Gen.Select(Anchor, Gen.OneOf(list, map, Plain)).Select((anchor, value) => $"&{anchor} {value}");
        return Gen.Frequency((5, scalar), (2, list), (2, map), (1, anchored));
    });

    /// <summary>A whole file in block style: top-level keys whose values are lists of flow nodes, or flow nodes.</summary>
    public static readonly Gen<string> Structured = Gen.Select(Key, Gen.Frequency(
            (1, FlowNode.Select(value => " " + value)),
            (2, FlowNode.Array[0, 4].Select(items => string.Concat(items.Select(item => $"\n  - {item}"))))))
        .Array[0, 6]
        .Select(entries => string.Concat(entries.Select(e => $"{e.Item1}:{e.Item2}\n")));

    /// <summary>Nesting far past any limit, in the styles that nest: flow lists, flow mappings, indentation.</summary>
    public static readonly Gen<string> DeepNesting = Gen.Select(Gen.Int[1, 100_000], Gen.Int[0, 2]).Select((depth, style) => style switch
    {
        0 => "hubs: " + new string('[', depth) + new string(']', depth),
        1 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "b" + new string('}', depth),
        _ => string.Join('\n', Enumerable.Range(0, Math.Min(depth, 3000)).Select(level => new string(' ', level) + "- a:")),
    });

    /// <summary>Billion-laughs shapes: each level repeats the one before some number of times.</summary>
    public static readonly Gen<string> AliasBombs = Gen.Select(Gen.Int[1, 12], Gen.Int[2, 30]).Select((levels, fanOut) =>
    {
        var text = new System.Text.StringBuilder("l0: &l0 [x]\n");
        for (var level = 1; level <= levels; level++)
            text.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", fanOut))}]\n");
        return text.ToString();
    });

    public static readonly Gen<string> HugeScalars = Gen.Select(Gen.Int[1_000, 2_000_000], Gen.Char[' ', '~'], Gen.Int[0, 2]).Select((length, c, style) => style switch
    {
        0 => "hubs: " + new string(c == '#' ? 'x' : c, length),
        1 => "hubs: \"" + new string(c == '"' || c == '\\' ? 'x' : c, length) + "\"",
        _ => "hubs: |\n" + string.Concat(Enumerable.Repeat("  " + new string('y', 80) + "\n", length / 80)),
    });

    private static readonly string[] Bases = [ConfigText.Base.ToString(), ConfigText.Pair.ToString()];

    private static readonly Gen<string> Damage = Gen.Frequency(
        (6, Gen.OneOf(new[] { "[", "]", "{", "}", ":", ": ", "- ", ",", "&a0 ", "*a0", "? ", "|", ">", "'", "\"", "#", "\n", "  ", "\t", "---\n", "...\n", "%YAML 1.2\n", "!!map ", "<<: " }.Select(Gen.Const).ToArray())),
        (2, FuzzGen.Char.Select(c => c.ToString())),
        (1, FlowNode));

    /// <summary>A valid configuration with a few random insertions, deletions and swapped lines.</summary>
    public static readonly Gen<string> MutatedValid = Gen.Select(Gen.OneOf(Bases.Select(Gen.Const).ToArray()), Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.Int[0, 20], Damage).Array[1, 6])
        .Select((text, edits) => edits.Aggregate(text, (current, edit) => Mutate(current, edit.Item1, edit.Item2, edit.Item3, edit.Item4)));

    public static readonly Gen<string> Any = Gen.Frequency(
        (6, Structured),
        (6, MutatedValid),
        (1, DeepNesting),
        (1, AliasBombs),
        (1, HugeScalars),
        (1, FuzzGen.Text));

    private static string Mutate(string text, int kind, int where, int length, string fragment)
    {
        var at = where % (text.Length + 1);
        switch (kind)
        {
            case 0:
                return text.Insert(at, fragment);
            case 1:
                return text.Remove(at, Math.Min(length, text.Length - at));
            default:
                var lines = text.Split('\n');
                var line = where % lines.Length;
                var other = (line + length) % lines.Length;
                (lines[line], lines[other]) = (lines[other], lines[line]);
                return string.Join('\n', lines);
        }
    }

    private static string Quote(string text) => "\"" + string.Concat(text.Select(c => c switch
    {
        '"' => "\\\"",
        '\\' => "\\\\",
        < ' ' or '\u007f' => $"\\x{(int)c:x2}",
        _ when char.IsSurrogate(c) => $"\\u{(int)c:x4}",
        _ => c.ToString(),
    })) + "\"";
}
