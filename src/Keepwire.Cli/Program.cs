using Keepwire.Cli;
using Keepwire.Cli.Commands;

// `keepwire lab …` belongs to keepwire-lab: it gets every argument untouched, its own --help included.
if (args is ["lab", .. var labArguments])
    return await LabCommand.RunAsync(labArguments);

return await KeepwireCommandLine.Create().Parse(args).InvokeAsync();
