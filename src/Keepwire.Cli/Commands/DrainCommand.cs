using System.CommandLine;
using Keepwire.Control;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire drain SITE</c> / <c>keepwire undrain SITE</c>: maintenance. A drained site takes no new
/// connections; open ones finish there. Survives daemon restarts.
/// </summary>
internal static class DrainCommand
{
    public static Command Create(bool drain)
    {
        var site = new Argument<string>("site") { Description = drain ? "The site to take out of service." : "The site to put back into service." };
        var socket = CommonOptions.Socket();
        var command = drain
            ? new Command("drain", "Put a site in maintenance: its services move to the next site, open connections finish where they are.") { site, socket }
            : new Command("undrain", "End a site's maintenance: it may serve again (with preempt, after the preempt delay).") { site, socket };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new ControlRequest(drain ? "drain" : "undrain", new Dictionary<string, string> { ["site"] = parse.GetValue(site)! });
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, request, cancellationToken);
            if (exitCode == 0)
                Console.WriteLine(TerminalText.EscapeLines(result?.GetProperty("message").GetString()));
            return exitCode;
        });
        return command;
    }
}
