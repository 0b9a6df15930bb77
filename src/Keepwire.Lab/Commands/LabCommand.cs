using System.CommandLine;
using Keepwire.Adapters.Processes;
using Keepwire.Cli.Commands;

namespace Keepwire.Lab.Commands;

/// <summary><c>keepwire lab up|down|status</c> and its levers: the network-namespace lab of the demo and the integration tests.</summary>
internal static class LabCommand
{
    public const string Description = "The namespace lab: a hub (or a hub pair), three sites (one behind NAT), a client, IPv4 and IPv6.";

    /// <summary>Every lab command, for the root of <c>keepwire-lab</c> (which <c>keepwire lab</c> runs).</summary>
    public static IEnumerable<Command> Create() => [Up(), Down(), Status(), ProviderApi(), .. LabLeverCommands.Create()];

    /// <summary><c>keepwire-lab</c>'s command line: Program runs it, the docs test parses documented <c>keepwire lab …</c> lines with it.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand(Description);
        foreach (var command in Create())
            root.Add(command);
        return root;
    }

    private static Option<string?> Prefix() => new("--prefix")
    {
        Description = "The lab's name prefix (namespaces are PREFIX-hub, PREFIX-alpha, …).",
    };

    private static Command Up()
    {
        var prefix = Prefix();
        var noDaemons = new Option<bool>("--no-daemons") { Description = "Build the network only; start no keepwire daemons." };
        var hubPair = new Option<bool>("--hub-pair") { Description = "Two hubs (hub1, hub2) whose keepalived moves the VIPs; every site dials both." };
        var conntrackd = new Option<bool>("--conntrackd") { Description = "With --hub-pair: the hubs sync conntrack state (hub_pair: { conntrackd: true })." };
        var provider = new Option<bool>("--provider")
        {
            Description = "With --hub-pair: no shared layer 2; a provider router routes the VIPs and the hubs move them with the generic HTTP provider hook through a fake provider API.",
        };
        var siteRouter = new Option<bool>("--site-router")
        {
            Description = "alpha is also a router in front of a LAN with two nginx servers (lan1, lan2), and two more services are forwarded to them there (backends:).",
        };
        var hubBinary = new Option<string?>("--hub-binary")
        {
            Description = "Run the hub daemons as this keepwire executable (e.g. the package's, compiled ahead of time); the sites run the build's.",
        };
        var command = new Command("up", "Build a lab and start its hub and site daemons; prints where everything is.") { prefix, noDaemons, hubPair, conntrackd, provider, siteRouter, hubBinary };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var loggers = Logging.CreateFactory();
            var lab = new NetworkLab(new CommandRunner(), loggers.CreateLogger("keepwire.lab"));
            var options = new LabOptions
            {
                StartDaemons = !parse.GetValue(noDaemons),
                HubPair = parse.GetValue(hubPair),
                Conntrackd = parse.GetValue(conntrackd),
                ProviderRouted = parse.GetValue(provider),
                SiteRouter = parse.GetValue(siteRouter),
                HubCommand = parse.GetValue(hubBinary) is { } binary ? [Path.GetFullPath(binary)] : null,
            };
            if (parse.GetValue(prefix) is { } chosen)
                options = options with { Prefix = chosen };
            try
            {
                var handle = await lab.UpAsync(options, cancellationToken);
                Console.WriteLine($"lab {handle.Prefix} is up: config {handle.ConfigPath}, logs {handle.LogsDirectory}");
                foreach (var hub in handle.Topology.Hubs)
                    Console.WriteLine($"  {hub.Name} control socket: {handle.DaemonSocketPath(hub.Name)}");
                Console.WriteLine($"  try: ip netns exec {handle.Prefix}-client curl http://{handle.Topology.Vips.IPv4}/");
                foreach (var server in handle.Topology.Lan?.Servers ?? [])
                    Console.WriteLine($"  {server.Service} ({server.Name} behind {handle.Topology.Lan!.Router}): ip netns exec {handle.Prefix}-client curl http://{handle.Topology.Vips.IPv4}:{server.Port}/addresses");
                return 0;
            }
            catch (Exception e) when (e is LabException or ArgumentException)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The fake provider API of a provider-routed lab; the lab starts it inside its internet namespace.</summary>
    private static Command ProviderApi()
    {
        var prefix = Prefix();
        prefix.Required = true;
        var command = new Command("provider-api", "Serve a provider-routed lab's fake provider API (the lab starts it in its internet namespace; it moves the VIPs' routes).") { prefix };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var topology = LabTopology.Create(parse.GetValue(prefix)!, hubPair: true, providerRouted: true);
            await new LabProviderApi(topology, new CommandRunner(), Console.Out).RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    private static Command Down()
    {
        var prefix = Prefix();
        var all = new Option<bool>("--all") { Description = "Remove every lab on this machine, also ones left by a crashed run." };
        var command = new Command("down", "Remove a lab: daemons, nginx, namespaces, WireGuard interfaces, files.") { prefix, all };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var loggers = Logging.CreateFactory();
            var lab = new NetworkLab(new CommandRunner(), loggers.CreateLogger("keepwire.lab"));
            if (parse.GetValue(all))
            {
                var removed = await lab.DownAllAsync(cancellationToken: cancellationToken);
                Console.WriteLine(removed.Count == 0 ? "no labs found" : $"removed {string.Join(", ", removed)}");
                return 0;
            }
            if (parse.GetValue(prefix) is not { } chosen)
            {
                await Console.Error.WriteLineAsync("say which lab: --prefix PREFIX, or --all");
                return 1;
            }
            await lab.DownAsync(chosen, cancellationToken: cancellationToken);
            Console.WriteLine($"removed lab {chosen}");
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var prefix = Prefix();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var command = new Command("status", "Show a lab's namespaces, processes, tunnels and which site answers on the VIPs.") { prefix, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var lab = new NetworkLab(new CommandRunner());
            var prefixes = parse.GetValue(prefix) is { } chosen ? [chosen] : await lab.ListAsync(cancellationToken: cancellationToken);
            if (prefixes.Count == 0)
                Console.WriteLine("no labs on this machine");
            foreach (var each in prefixes)
            {
                var status = await lab.StatusAsync(each, cancellationToken: cancellationToken);
                Console.WriteLine(parse.GetValue(json) ? status.ToJson() : status.ToText());
            }
            return 0;
        });
        return command;
    }
}
