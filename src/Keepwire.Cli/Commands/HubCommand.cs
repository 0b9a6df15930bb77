using System.CommandLine;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Hub;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire hub</c>: runs the hub daemon in the foreground (systemd Type=simple).</summary>
internal static class HubCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var node = CommonOptions.Node();
        var stateDirectory = CommonOptions.StateDirectory();
        var socket = CommonOptions.Socket();
        var interval = new Option<double>("--reconcile-interval")
        {
            Description = "Seconds between two passes that re-read the kernel and repair drift.",
            DefaultValueFactory = _ => 1.0,
        };
        var command = new Command("hub", "Run the hub daemon: WireGuard for every site, the VIPs, and the nftables forwarding table.")
        {
            config, node, stateDirectory, socket, interval,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var loggers = Logging.CreateFactory();
            var options = new HubDaemonOptions(
                parse.GetValue(config)!,
                parse.GetValue(node)!,
                parse.GetValue(stateDirectory)!,
                parse.GetValue(socket)!,
                TimeSpan.FromSeconds(parse.GetValue(interval)));
            HubDaemon daemon;
            try
            {
                daemon = HubDaemon.Create(options, new CommandRunner(), loggers, TimeProvider.System);
            }
            catch (ConfigInvalidException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            try
            {
                await using (daemon)
                    await daemon.RunAsync(cancellationToken);
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
