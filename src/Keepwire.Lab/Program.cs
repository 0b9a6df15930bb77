using System.CommandLine;
using Keepwire.Lab.Commands;

// keepwire-lab: the lab's own program. `keepwire lab ARGS` runs `keepwire-lab ARGS` from beside keepwire.
var root = new RootCommand(LabCommand.Description);
foreach (var command in LabCommand.Create())
    root.Add(command);
return await root.Parse(args).InvokeAsync();
