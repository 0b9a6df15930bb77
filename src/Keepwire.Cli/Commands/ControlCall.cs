using System.Text.Json;
using Keepwire.Control;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>Sends one request to a daemon and turns the answer into output and an exit code.</summary>
internal static class ControlCall
{
    public static async Task<(int ExitCode, JsonElement? Result)> SendAsync(string socket, ControlRequest request, CancellationToken cancellationToken)
    {
        ControlResponse response;
        try
        {
            response = await new ControlClient(socket).SendAsync(request, cancellationToken);
        }
        catch (ControlUnavailableException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return (3, null);
        }

        if (!response.Ok)
        {
            // The daemon's errors quote config values and operator arguments: escaped like every other output.
            await Console.Error.WriteLineAsync(TerminalText.EscapeLines(response.Error));
            return (1, null);
        }
        return (0, response.Result);
    }

    /// <summary>Sends an operator command and prints the daemon's answer (what it did, in words, escaped: it quotes config names); returns the exit code.</summary>
    public static async Task<int> RunAsync(string socket, ControlRequest request, CancellationToken cancellationToken)
    {
        var (exitCode, result) = await SendAsync(socket, request, cancellationToken);
        if (exitCode == 0)
            Console.WriteLine(TerminalText.EscapeLines(result?.GetProperty("message").GetString()));
        return exitCode;
    }

    /// <summary>Asks the daemon to reload; returns why it did not, or null.</summary>
    public static async Task<string?> TryReloadAsync(string socket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await new ControlClient(socket).SendAsync(new ControlRequest("reload"), cancellationToken);
            return response.Ok ? null : response.Error;
        }
        catch (ControlUnavailableException e)
        {
            return e.Message;
        }
    }
}
