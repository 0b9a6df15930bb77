using System.CommandLine;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Hub.Pair;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire teardown</c>: removes the data path Keepwire made on this node. Stopping the daemon
/// deliberately leaves it in place (traffic must survive restarts); this is the explicit way out.
/// </summary>
internal static class TeardownCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var node = CommonOptions.Node();
        var socket = CommonOptions.Socket();
        var command = new Command("teardown", "Remove this node's WireGuard interfaces, VIPs, routes and nftables table, and a pair hub's keepalived and conntrackd (stop the daemon first).")
        {
            config, node, socket,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = ConfigLoader.Load(parse.GetValue(config)!);
            if (loaded.Config is not { } cluster)
            {
                foreach (var error in loaded.Errors)
                    await Console.Error.WriteLineAsync(error.ToString());
                return 2;
            }

            using var loggers = Logging.CreateFactory();
            var runner = new CommandRunner();
            var wireGuard = new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>());
            var name = parse.GetValue(node)!;
            if (cluster.FindHub(name) is { } hub)
            {
                await new ForwardingReconciler(new NftablesCli(runner), loggers.CreateLogger<ForwardingReconciler>()).RemoveAsync(cancellationToken);
                await new HubNetworkReconciler(wireGuard, new RoutingCli(runner), new Sysctl(runner), loggers.CreateLogger<HubNetworkReconciler>())
                    .TeardownAsync(hub, cancellationToken);
                // keepalived outlives daemon restarts on purpose (it holds the VIPs); teardown is where it stops.
                if (cluster.HubPair is not null)
                {
                    await HubPair.TeardownAsync(HubRunPaths.For(parse.GetValue(socket)!, hub.Name), runner, loggers, cancellationToken);
                }
            }
            else if (cluster.FindSite(name) is { } site)
            {
                await new SiteNetworkReconciler(
                        wireGuard, new RoutingCli(runner), new Sysctl(runner), new GetentHostResolver(runner), new NftablesCli(runner), TimeProvider.System,
                        loggers.CreateLogger<SiteNetworkReconciler>())
                    .TeardownAsync(site, cancellationToken);
            }
            else
            {
                await Console.Error.WriteLineAsync($"{cluster.SourcePath}: no hub or site named '{name}'");
                return 2;
            }
            Console.WriteLine($"removed the data path of {name}");
            return 0;
        });
        return command;
    }
}
