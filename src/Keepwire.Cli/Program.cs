using Keepwire.Adapters.Posix;
using Keepwire.Cli;
using Keepwire.Cli.Commands;

// What this process inherited must not reach the programs it runs (InheritedDescriptors says why).
InheritedDescriptors.MarkCloseOnExec();

// `keepwire lab …` belongs to keepwire-lab: it gets every argument untouched, its own --help included.
if (args is ["lab", .. var labArguments])
    return await LabCommand.RunAsync(labArguments);

return await KeepwireCommandLine.Create().Parse(args).InvokeAsync();
