using System.CommandLine;
using Keepwire.Control;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire failover SERVICE --to SITE</c>: a planned move; new connections go to SITE, existing ones finish.</summary>
internal static class FailoverCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("service") { Description = "The service to move." };
        var site = new Option<string>("--to") { Description = "The site that should serve it.", Required = true };
        var socket = CommonOptions.Socket();
        var command = new Command("failover", "Move a service to a site: new connections go there, existing ones finish where they are. The choice survives restarts.")
        {
            service, site, socket,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new ControlRequest("failover", new Dictionary<string, string>
            {
                ["service"] = parse.GetValue(service)!,
                ["site"] = parse.GetValue(site)!,
            });
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, request, cancellationToken);
            if (exitCode == 0)
                Console.WriteLine(TerminalText.EscapeLines(result?.GetProperty("message").GetString()));
            return exitCode;
        });
        return command;
    }
}
