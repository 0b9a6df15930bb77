using Keepwire.Cli;

return await KeepwireCommandLine.Create().Parse(args).InvokeAsync();
