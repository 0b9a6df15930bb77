using System.Globalization;
using System.Text;

namespace Keepwire.Onboarding.Editing;

/// <summary>Writes scalar values that YAML reads back exactly, whatever characters they hold.</summary>
public static class YamlScalars
{
    /// <summary>A double-quoted scalar, escaping what YAML's double-quoted style needs escaped.</summary>
    public static string Quoted(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\t' => text.Append("\\t"),
                _ when char.IsControl(c) => text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }

    /// <summary>
    /// A plain scalar when it is a simple word (names, numbers, paths, <c>host:port</c>: a colon not followed by a
    /// space does not end a plain scalar), quoted otherwise.
    /// </summary>
    public static string Plain(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or ':') && !value.StartsWith('-') && !value.EndsWith(':')
            ? value
            : Quoted(value);
}
