namespace Keepwire.Tests.Configuration;

/// <summary>
/// A small valid configuration and line-level edits of it, so each malformed case states only what it breaks
/// and its expected line numbers are easy to check against <see cref="Base"/>.
/// </summary>
internal sealed class ConfigText
{
    public const string HubKey = "WbW/rWfViauNmPHbZanI6Climp7mFBdnltqzdvr/qgA=";
    public const string AlphaKey = "ee/TdwkXl/RquSKQZyMWXmjjCf0t/Q07IQ7w2zA6pxg=";
    public const string BravoKey = "RwieM3xB155yFPuEgJEfkRPchwcCrSmJhsb/yYIRexI=";

    private static readonly string[] BaseLines =
    [
        /*  1 */ "hubs:",
        /*  2 */ "  - name: hub",
        /*  3 */ "    endpoint: hub.example.net:51820",
        /*  4 */ $"    public_key: {HubKey}",
        /*  5 */ "    tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }",
        /*  6 */ "sites:",
        /*  7 */ "  - name: alpha",
        /*  8 */ $"    public_key: {AlphaKey}",
        /*  9 */ "  - name: bravo",
        /* 10 */ $"    public_key: {BravoKey}",
        /* 11 */ "services:",
        /* 12 */ "  - name: web",
        /* 13 */ "    vips: [203.0.113.80]",
        /* 14 */ "    ports: [tcp/80]",
        /* 15 */ "    sites: [alpha]",
    ];

    private readonly List<string> lines;

    private ConfigText(IEnumerable<string> lines) => this.lines = [.. lines];

    public static ConfigText Base => new(BaseLines);

    /// <summary>Replaces line <paramref name="lineNumber"/> (1-based) by the given lines; an empty list deletes it.</summary>
    public ConfigText Replace(int lineNumber, params string[] replacement)
    {
        var copy = new List<string>(lines);
        copy.RemoveAt(lineNumber - 1);
        copy.InsertRange(lineNumber - 1, replacement);
        return new ConfigText(copy);
    }

    /// <summary>Inserts lines after line <paramref name="lineNumber"/>; 0 inserts at the top.</summary>
    public ConfigText InsertAfter(int lineNumber, params string[] inserted)
    {
        var copy = new List<string>(lines);
        copy.InsertRange(lineNumber, inserted);
        return new ConfigText(copy);
    }

    public ConfigText Append(params string[] appended) => InsertAfter(lines.Count, appended);

    public override string ToString() => string.Join('\n', lines) + "\n";
}
