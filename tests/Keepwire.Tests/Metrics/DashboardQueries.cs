using System.Text.Json;
using System.Text.RegularExpressions;

namespace Keepwire.Tests.Metrics;

/// <summary>The PromQL of deploy/grafana/keepwire.json and the metric names it reads.</summary>
public static partial class DashboardQueries
{
    public static string Path => System.IO.Path.Combine(Configuration.ConfigLoaderValidTests.RepoRoot(), "deploy", "grafana", "keepwire.json");

    /// <summary>Every panel target's expression.</summary>
    public static IReadOnlyList<string> Expressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)];
    }

    /// <summary>The metric names an expression reads: every name Keepwire exports starts with keepwire_ or wireguard_.</summary>
    public static IReadOnlyList<string> MetricNames(string expression) => [.. MetricName().Matches(expression).Select(m => m.Value)];

    /// <summary>The series names a scrape can be queried by: each family's, and a histogram's _bucket, _sum and _count.</summary>
    public static IReadOnlySet<string> Queryable(string exposition)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match type in TypeLine().Matches(exposition))
        {
            var name = type.Groups[1].Value;
            names.Add(name);
            if (type.Groups[2].Value == "histogram")
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
        }
        return names;
    }

    [GeneratedRegex(@"\b(?:keepwire|wireguard)_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
