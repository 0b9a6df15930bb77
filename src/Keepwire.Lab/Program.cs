using Keepwire.Lab.Commands;

// keepwire-lab: the lab's own program. `keepwire lab ARGS` runs `keepwire-lab ARGS` from beside keepwire.
return await LabCommand.Root().Parse(args).InvokeAsync();
