using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads typed values out of YAML nodes, reporting a type error at the node when it does not fit.</summary>
internal static class YamlValues
{
    /// <summary>YAML 1.2 core-schema null: an empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        _ when IsNull(node) => "nothing (null)",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an alias",
    };

    public static string? String(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (node is YamlScalarNode scalar && !IsNull(node) && !string.IsNullOrWhiteSpace(scalar.Value))
            return scalar.Value.Trim();
        errors.Report(node, $"{key} must be a text value, not {Describe(node)}");
        return null;
    }

    public static int? Integer(YamlNode node, string key, int min, int max, ConfigErrorSink errors)
    {
        if (node is not YamlScalarNode { Value: { } text } || IsNull(node)
            || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            errors.Report(node, $"{key} must be a whole number from {min} to {max}, not {Describe(node)}");
            return null;
        }

        if (value < min || value > max)
        {
            errors.Report(node, $"{key} {value} is out of range", $"use a value from {min} to {max}");
            return null;
        }

        return value;
    }

    /// <summary>A whole number without range; the caller's rules (often the decision core's Validate) judge the value.</summary>
    public static int? WholeNumber(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (node is YamlScalarNode { Value: { } text } && !IsNull(node)
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Report(node, $"{key} must be a whole number, not {Describe(node)}");
        return null;
    }

    /// <summary>YAML 1.2 core-schema booleans only: <c>yes</c>/<c>on</c> are YAML 1.1 and read differently by different tools.</summary>
    public static bool? Boolean(YamlNode node, string key, ConfigErrorSink errors)
    {
        switch ((node as YamlScalarNode)?.Value)
        {
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                errors.Report(node, $"{key} must be true or false, not {Describe(node)}");
                return null;
        }
    }

    /// <summary>Text kept exactly as written (no trimming), for values compared byte for byte such as expected replies.</summary>
    public static string? ExactText(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value } && !IsNull(node))
            return value;
        errors.Report(node, $"{key} must be a non-empty text value, not {Describe(node)}");
        return null;
    }

    public static TimeSpan? Duration(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (String(node, key, errors) is not { } text)
            return null;
        var duration = DurationSyntax.Parse(text, key, out var problem);
        CommonFields.Report(errors, node, problem);
        return duration;
    }

    /// <summary>The items of a list; a single scalar where a list is expected is an error, not a one-item list, so typos surface.</summary>
    public static IReadOnlyList<YamlNode>? Sequence(YamlNode node, string key, ConfigErrorSink errors, string hint)
    {
        if (node is YamlSequenceNode sequence)
            return [.. sequence.Children];
        errors.Report(node, $"{key} must be a list, not {Describe(node)}", hint);
        return null;
    }
}
