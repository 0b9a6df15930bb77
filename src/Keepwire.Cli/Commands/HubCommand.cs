using System.CommandLine;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Hub;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire hub</c>: runs the hub daemon in the foreground (systemd Type=notify: READY after the first reconcile, WATCHDOG from the loop).</summary>
internal static class HubCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var node = CommonOptions.NodeOrInferred();
        var stateDirectory = CommonOptions.StateDirectory();
        var socket = CommonOptions.Socket();
        var interval = new Option<double>("--reconcile-interval")
        {
            Description = "Seconds between two passes that re-read the kernel and repair drift.",
            DefaultValueFactory = _ => 1.0,
        };
        var joinPort = new Option<int?>("--join-port")
        {
            Description = "TCP port `keepwire join` reaches the hub on, open only while a join token is pending; default: the WireGuard listen port; 0: off.",
        };
        var command = new Command("hub", "Run the hub daemon: WireGuard for every site, the VIPs, and the nftables forwarding table.")
        {
            config, node, stateDirectory, socket, interval, joinPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (NodeSelection.Resolve(parse.GetValue(config)!, parse.GetValue(node), hub: true, out var nodeError) is not { } nodeName)
            {
                await Console.Error.WriteLineAsync(nodeError);
                return 2;
            }
            using var loggers = Logging.CreateFactory();
            var options = new HubDaemonOptions(
                parse.GetValue(config)!,
                nodeName,
                parse.GetValue(stateDirectory)!,
                parse.GetValue(socket)!,
                TimeSpan.FromSeconds(parse.GetValue(interval)));
            HubDaemon daemon;
            try
            {
                // The composition root: the hub's adapters, real ones, built here once.
                daemon = HubDaemon.Create(options, HubAdapters.ForHost(new CommandRunner(), loggers, TimeProvider.System), loggers, TimeProvider.System);
            }
            catch (ConfigInvalidException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            try
            {
                await using (daemon)
                {
                    // RunAsync takes the control socket's lock before its first await, so a second hub for the same
                    // socket has failed by now, before its join listener could open.
                    var running = daemon.RunAsync(cancellationToken);
                    using var joinStopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var join = running.IsCompleted ? Task.CompletedTask : JoinService.Run(options, parse.GetValue(joinPort), loggers, joinStopping.Token);
                    try
                    {
                        await running;
                    }
                    finally
                    {
                        await joinStopping.CancelAsync();
                        await join;
                    }
                }
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
