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

    /// <summary>
    /// A Linux interface name Keepwire can hand to ip, wg and sysctl: what the kernel accepts (1 to 15 characters,
    /// no '/', ':' or whitespace, not '.' or '..') narrowed to letters, digits, '_', '-' and '.', and not a
    /// name those tools read as something else: a leading '-' is an option, and 'all' and 'default' are the
    /// sysctl directories for every interface. The WireGuard interface Keepwire creates can never be 'lo'.
    /// </summary>
    public static Problem? CheckInterface(string name, string key)
    {
        if (name.Length > MaxInterfaceNameLength)
            return new Problem($"{key} '{name}' is longer than {MaxInterfaceNameLength} characters", "Linux interface names have at most 15 characters");
        if (name is "." or ".." || !InterfacePattern().IsMatch(name))
            return new Problem($"{key} '{name}' is not a valid interface name", "use letters, digits, '_', '-' and '.'");
        if (name.StartsWith('-'))
            return new Problem($"{key} '{name}' starts with '-', which ip and wg would read as an option", "start the name with a letter or digit");
        if (name is "all" or "default")
            return new Problem($"{key} '{name}' is reserved: /proc/sys/net/*/conf/{name} stands for every interface, not one", "pick another name");
        if (name == "lo" && key != "public_interface")
            return new Problem($"{key} '{name}' is the loopback interface, not one Keepwire can make a WireGuard interface of", "pick another name, e.g. kw0");
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex InterfacePattern();
}
