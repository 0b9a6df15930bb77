using System.Text.RegularExpressions;

namespace Keepwire.Configuration.Parsing;

/// <summary>Rules for node, service and interface names.</summary>
internal static partial class NameSyntax
{
    /// <summary>Linux's IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    public const int MaxNameLength = 63;

    public static Problem? CheckName(string name)
    {
        if (name.Length > MaxNameLength)
            return new Problem($"name '{name}' is longer than {MaxNameLength} characters", "use a shorter name");
        if (!NamePattern().IsMatch(name))
        {
            return new Problem(
                $"name '{name}' is not valid",
                "use lowercase letters, digits and '-', starting with a letter or digit");
        }

        return null;
    }

    public static Problem? CheckInterface(string name, string key)
    {
        if (name.Length > MaxInterfaceNameLength)
            return new Problem($"{key} '{name}' is longer than {MaxInterfaceNameLength} characters", "Linux interface names have at most 15 characters");
        if (name is "." or ".." || !InterfacePattern().IsMatch(name))
            return new Problem($"{key} '{name}' is not a valid interface name", "use letters, digits, '_', '-' and '.'");
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex InterfacePattern();
}
