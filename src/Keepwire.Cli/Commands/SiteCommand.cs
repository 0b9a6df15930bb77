using System.CommandLine;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Systemd;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Site;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire site</c>: runs the site agent in the foreground.</summary>
internal static class SiteCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var node = CommonOptions.NodeOrInferred();
        var socket = CommonOptions.Socket();
        var interval = new Option<double>("--reconcile-interval")
        {
            Description = "Seconds between two passes that check the tunnels, re-resolve the hubs and repair drift.",
            DefaultValueFactory = _ => 2.0,
        };
        var command = new Command("site", "Run the site agent: a tunnel to every hub and the return path that preserves client addresses.")
        {
            config, node, socket, interval,
        };
        command.Add(SiteAddCommand.Create());
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (NodeSelection.Resolve(parse.GetValue(config)!, parse.GetValue(node), hub: false, out var nodeError) is not { } nodeName)
            {
                await Console.Error.WriteLineAsync(nodeError);
                return 2;
            }
            using var loggers = Logging.CreateFactory();
            var options = new SiteAgentOptions(
                parse.GetValue(config)!,
                nodeName,
                parse.GetValue(socket)!,
                TimeSpan.FromSeconds(parse.GetValue(interval)));
            SiteAgent agent;
            try
            {
                agent = SiteAgent.Create(options, new CommandRunner(), loggers, TimeProvider.System, SystemdNotifier.FromEnvironment());
            }
            catch (ConfigInvalidException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            try
            {
                await agent.RunAsync(cancellationToken);
            }
            catch (Exception e) when (e is DaemonAlreadyRunningException or ControlSocketInUseException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
            return 0;
        });
        return command;
    }
}
