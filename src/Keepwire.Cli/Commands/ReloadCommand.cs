using System.CommandLine;
using Keepwire.Control;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary><c>keepwire reload</c>: the daemon rereads its config; a bad file is rejected and the running state stays.</summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var command = new Command("reload", "Reload the daemon's configuration (same as SIGHUP); a bad file is rejected with its errors.") { socket };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, new ControlRequest("reload"), cancellationToken);
            if (exitCode == 0)
                Console.WriteLine(TerminalText.EscapeLines(result?.GetProperty("message").GetString() ?? "reloaded"));
            return exitCode;
        });
        return command;
    }
}
