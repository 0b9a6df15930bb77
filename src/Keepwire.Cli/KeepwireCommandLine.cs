using System.CommandLine;
using Keepwire.Cli.Commands;

namespace Keepwire.Cli;

/// <summary>
/// The <c>keepwire</c> command line: every command, option and argument. Program runs it; the docs
/// test parses every command line written in the documentation with it, so the two cannot drift.
/// </summary>
public static class KeepwireCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Keepwire: one set of public IPv4/IPv6 addresses for services at several sites, with fast failover over WireGuard.")
        {
            CheckCommand.Create(),
            KeygenCommand.Create(),
            InitCommand.Create(),
            JoinCommand.Create(),
            RenderCommand.Create(),
            HubCommand.Create(),
            SiteCommand.Create(),
            StatusCommand.Create(),
            ReloadCommand.Create(),
            FailoverCommand.Create(),
            UnpinCommand.Create(),
            DrainCommand.Create(drain: true),
            DrainCommand.Create(drain: false),
            EventsCommand.Create(),
            TeardownCommand.Create(),
            LabCommand.Create(),
        };
        // The man page is rendered from the finished tree, so it documents every command above.
        root.Add(ManPageCommand.Create(root));
        return root;
    }
}
