using System.CommandLine;
using Keepwire.Configuration;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire check FILE</c>: validates a config without touching the system.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The configuration file to validate." };
        var command = new Command("check", "Validate a configuration file; every problem is reported as file:line:column. Touches nothing.") { file };
        command.SetAction(parse =>
        {
            var result = ConfigLoader.Load(parse.GetValue(file)!);
            foreach (var error in result.Errors)
                Console.Error.WriteLine(error);
            if (result.Config is not { } config)
            {
                Console.Error.WriteLine($"{result.Errors.Count} problem(s)");
                return 2;
            }
            Console.WriteLine($"{config.SourcePath}: ok — {config.Hubs.Count} hub(s), {config.Sites.Count} site(s), {config.Services.Count} service(s)");
            return 0;
        });
        return command;
    }
}
