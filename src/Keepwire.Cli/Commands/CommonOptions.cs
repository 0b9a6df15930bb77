using System.CommandLine;
using Keepwire.Control;

namespace Keepwire.Cli.Commands;

/// <summary>Options several commands share, so they are spelled and described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Socket() => new("--socket")
    {
        Description = "Control socket of the daemon.",
        DefaultValueFactory = _ => ControlClient.DefaultSocketPath,
    };

    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "The cluster configuration file.",
        DefaultValueFactory = _ => "/etc/keepwire/keepwire.yaml",
    };

    public static Option<string> Node() => new("--node", "-n")
    {
        Description = "This machine's name in the configuration (a hub or a site).",
        Required = true,
    };

    /// <summary>For the daemons: without it, the only node of its kind in the file, or the one named like the host.</summary>
    public static Option<string?> NodeOrInferred() => new("--node", "-n")
    {
        Description = "This machine's name in the configuration; default: the only hub (site) in the file, or the one named like this host.",
    };

    public static Option<string> StateDirectory() => new("--state-dir")
    {
        Description = "Where the daemon keeps operator intent (pins, drains) across restarts.",
        DefaultValueFactory = _ => "/var/lib/keepwire",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON instead of a table.",
    };
}
