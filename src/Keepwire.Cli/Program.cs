using System.CommandLine;
using Keepwire.Cli.Commands;

// `keepwire lab …` belongs to keepwire-lab: it gets every argument untouched, its own --help included.
if (args is ["lab", .. var labArguments])
    return await LabCommand.RunAsync(labArguments);

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
    DrainCommand.Create(drain: true),
    DrainCommand.Create(drain: false),
    EventsCommand.Create(),
    TeardownCommand.Create(),
    LabCommand.Create(),
};

root.Add(ManPageCommand.Create(root));

return await root.Parse(args).InvokeAsync();
