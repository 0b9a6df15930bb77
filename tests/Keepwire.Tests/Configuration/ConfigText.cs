using Keepwire.Configuration;

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
    public const string Hub2Key = "iOgx6tQZ6AecFAbzQew2udqggusn6BTqpY19SvUtp34=";
    public const string Hub3Key = "ruyyMh2Z9t694rLWbe7xjLWwWFUYEBexNX8m2LpmJx4=";

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

    /// <summary>The same cluster with a hub pair: both hubs in one tunnel network, each with its own address.</summary>
    private static readonly string[] PairLines =
    [
        /*  1 */ "hubs:",
        /*  2 */ "  - name: hub1",
        /*  3 */ "    endpoint: 198.51.100.2:51820",
        /*  4 */ "    public_interface: eth0",
        /*  5 */ $"    public_key: {HubKey}",
        /*  6 */ "    tunnel: { ipv4: 10.77.0.1/24, ipv6: fd77::1/64 }",
        /*  7 */ "  - name: hub2",
        /*  8 */ "    endpoint: 198.51.100.3:51820",
        /*  9 */ "    public_interface: eth0",
        /* 10 */ $"    public_key: {Hub2Key}",
        /* 11 */ "    tunnel: { ipv4: 10.77.0.2/24, ipv6: fd77::2/64 }",
        /* 12 */ "hub_pair:",
        /* 13 */ "  advert_interval: 100ms",
        /* 14 */ "sites:",
        /* 15 */ "  - name: alpha",
        /* 16 */ $"    public_key: {AlphaKey}",
        /* 17 */ "  - name: bravo",
        /* 18 */ $"    public_key: {BravoKey}",
        /* 19 */ "services:",
        /* 20 */ "  - name: web",
        /* 21 */ "    vips: [203.0.113.80]",
        /* 22 */ "    ports: [tcp/80]",
        /* 23 */ "    sites: [alpha]",
    ];

    private readonly List<string> lines;

    private ConfigText(IEnumerable<string> lines) => this.lines = [.. lines];

    public static ConfigText Base => new(BaseLines);

    public static ConfigText Pair => new(PairLines);

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

    /// <summary>The text must load without errors.</summary>
    public void AssertValid(string fileName)
    {
        var result = ConfigLoader.Parse(ToString(), fileName);

        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
    }

    /// <summary>
    /// The text must fail with exactly one error at the exact node, whose full "file:line:col: message (hint: …)"
    /// text contains <paramref name="fragment"/>.
    /// </summary>
    public void AssertSingleError(string fileName, int line, int column, string fragment)
    {
        var result = ConfigLoader.Parse(ToString(), fileName);

        Assert.Null(result.Config);
        var error = Assert.Single(result.Errors);
        Assert.Equal((fileName, line, column), (error.File, error.Line, error.Column));
        Assert.Contains(fragment, error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith($"{fileName}:{line}:{column}: ", error.ToString(), StringComparison.Ordinal);
    }
}
