using System.Text.Json;
using System.Text.RegularExpressions;

namespace Keepwire.Tests.Metrics;

/// <summary>The PromQL of deploy/grafana/keepwire.json and the metric names it reads.</summary>
public static partial class DashboardQueries
{
    public static string Path => System.IO.Path.Combine(RepositoryCheckout.Root(), "deploy", "grafana", "keepwire.json");

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

    /// <summary>What is wrong with the dashboard against a scrape: a query that reads no Keepwire metric, or one the scrape lacks. Empty when every query reads only exported metrics.</summary>
    public static IReadOnlyList<string> Unexported(string exposition)
    {
        var exported = Queryable(exposition);
        var expressions = Expressions();
        if (expressions.Count == 0)
            return [$"{Path} has no queries"];
        return [.. expressions.SelectMany(expression => MetricNames(expression) is { Count: > 0 } names
            ? names.Where(name => !exported.Contains(name)).Select(name => $"the dashboard query '{expression}' reads {name}, which the scrape does not have")
            : [$"the dashboard query '{expression}' reads no Keepwire metric"])];
    }

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
