using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads a site's <c>local_checks:</c>, the exec checks the site agent runs on the site.</summary>
internal static class LocalCheckReader
{
    public static readonly string[] Keys = ["name", "command", "timeout"];

    private const string CommandHint =
        "write the program and its arguments as a list, e.g. command: [\"/usr/local/bin/check-replica\", \"--max-lag\", \"10\"]; it runs without a shell";

    /// <summary>The checks in file order, or null after reporting errors.</summary>
    public static IReadOnlyList<LocalCheck>? ReadAll(YamlNode node, ConfigErrorSink errors)
    {
        if (YamlValues.Sequence(node, "local_checks", errors, "write a list of checks, e.g. local_checks: [{ command: [/usr/local/bin/check-replica] }]") is not { } items)
            return null;
        var before = errors.Count;
        var checks = new List<LocalCheck>();
        var namePositions = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        for (var index = 0; index < items.Count; index++)
        {
            if (Read(items[index], index, errors) is not var (check, namePosition))
                continue;
            if (namePositions.TryGetValue(check.Name, out var first))
            {
                errors.Report(namePosition, $"local check name '{check.Name}' is used twice in this site (first at line {first.Start.Line})", "give each local check its own name");
                continue;
            }

            namePositions[check.Name] = namePosition;
            checks.Add(check);
        }

        return errors.Count == before ? checks : null;
    }

    private static (LocalCheck Check, YamlNode NamePosition)? Read(YamlNode node, int index, ConfigErrorSink errors)
    {
        var before = errors.Count;
        if (MappingReader.Open(node, "local check", Keys, errors) is not { } map)
            return null;

        // Numbered from 1, as people count the entries of a list.
        var name = map.Read("name", $"local{index + 1}", ReadName);
        var command = map.Required("command", CommandHint) is { } commandNode ? ReadCommand(commandNode, errors) : null;
        var timeout = map.Read("timeout", (TimeSpan?)LocalCheck.DefaultTimeout, YamlValues.Duration);
        if (timeout is { } written && written <= TimeSpan.Zero)
            errors.Report(map.PositionOf("timeout"), $"local check {name ?? $"local{index + 1}"}: timeout must be positive", "use e.g. timeout: 2s");

        if (errors.Count > before || name is null || command is null || timeout is null)
            return null;
        return (new LocalCheck(name, command, timeout.Value), map.PositionOf("name"));
    }

    private static string? ReadName(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (YamlValues.String(node, key, errors) is not { } name)
            return null;
        return CommonFields.Report(errors, node, NameSyntax.CheckName(name)) ? null : name;
    }

    private static IReadOnlyList<string>? ReadCommand(YamlNode node, ConfigErrorSink errors)
    {
        if (YamlValues.Sequence(node, "command", errors, CommandHint) is not { } items)
            return null;
        if (items.Count == 0)
        {
            errors.Report(node, "a local check needs a command, and this list is empty", CommandHint);
            return null;
        }

        var before = errors.Count;
        var command = items.Select(item => YamlValues.ExactText(item, "a command argument", errors)).OfType<string>().ToList();
        return errors.Count == before ? command : null;
    }
}
