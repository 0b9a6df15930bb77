using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// A YAML mapping with a fixed set of known keys. Opening one reports every unknown key (with a
/// "did you mean" hint); <see cref="Required"/> reports a missing key at the mapping's start.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries = new(StringComparer.Ordinal);
    private readonly ConfigErrorSink errors;
    private readonly HashSet<string> failedKeys = new(StringComparer.Ordinal);

    private MappingReader(YamlMappingNode node, string what, ConfigErrorSink errors)
    {
        Node = node;
        What = what;
        this.errors = errors;
    }

    public YamlMappingNode Node { get; }

    public ConfigErrorSink Errors => errors;

    /// <summary>Keys whose value was reported as invalid by <see cref="Read{T}"/>.</summary>
    public IReadOnlySet<string> FailedKeys => failedKeys;

    /// <summary>The known keys present in the mapping, with their key nodes, in file order.</summary>
    public IEnumerable<(string Name, YamlScalarNode Node)> PresentKeys =>
        entries.OrderBy(e => e.Value.Key.Start.Index).Select(e => (e.Key, e.Value.Key));

    /// <summary>How messages name this mapping, e.g. "site 'alpha'".</summary>
    public string What { get; }

    public static MappingReader? Open(YamlNode node, string what, IReadOnlyList<string> knownKeys, ConfigErrorSink errors)
    {
        if (node is not YamlMappingNode mapping)
        {
            errors.Report(node, $"{what} must be a mapping of 'key: value' lines, not {YamlValues.Describe(node)}");
            return null;
        }

        var reader = new MappingReader(mapping, what, errors);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                errors.Report(keyNode, $"{what} has a key that is not a plain name");
                continue;
            }

            if (!knownKeys.Contains(key))
            {
                var suggestion = KeySuggestions.Closest(key, knownKeys);
                var hint = suggestion is null ? $"known keys are {string.Join(", ", knownKeys)}" : $"did you mean '{suggestion}'?";
                errors.Report(keyNode, $"unknown key '{key}' in {what}", hint);
                continue;
            }

            reader.entries[key] = (scalarKey, value);
        }

        return reader;
    }

    /// <summary>The value of an optional key; null when the key is absent or its value is null (both mean "use the default").</summary>
    public YamlNode? Optional(string key) =>
        entries.TryGetValue(key, out var entry) && !YamlValues.IsNull(entry.Value) ? entry.Value : null;

    /// <summary>The value of a required key, or null after reporting that it is missing or empty.</summary>
    public YamlNode? Required(string key, string hint)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            errors.Report(Node, $"{What} is missing required key '{key}'", hint);
            return null;
        }

        if (YamlValues.IsNull(entry.Value))
        {
            errors.Report(entry.Key, $"'{key}' of {What} has no value", hint);
            return null;
        }

        return entry.Value;
    }

    public string? OptionalString(string key) => Optional(key) is { } node ? YamlValues.String(node, key, errors) : null;

    public string? RequiredString(string key, string hint) => Required(key, hint) is { } node ? YamlValues.String(node, key, errors) : null;

    /// <summary>The integer value, the default when absent, or null after reporting a bad value.</summary>
    public int? OptionalInteger(string key, int defaultValue, int min, int max) =>
        Optional(key) is { } node ? YamlValues.Integer(node, key, min, max, errors) : defaultValue;

    /// <summary>
    /// Reads an optional key with <paramref name="parse"/>, or gives <paramref name="absent"/>. A value that
    /// parse reports as invalid is remembered in <see cref="FailedKeys"/>, so later checks can stay quiet about it.
    /// </summary>
    public T Read<T>(string key, T absent, Func<YamlNode, string, ConfigErrorSink, T> parse)
    {
        if (Optional(key) is not { } node)
            return absent;
        var before = errors.Count;
        var value = parse(node, key, errors);
        if (errors.Count > before)
            failedKeys.Add(key);
        return value;
    }

    /// <summary>The node of the key itself (not its value), or null when the key is absent.</summary>
    public YamlScalarNode? KeyNode(string key) => entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>Where a problem with <paramref name="key"/> belongs: its value, or the mapping itself when the key is absent.</summary>
    public YamlNode PositionOf(string key) => Optional(key) ?? Node;
}
