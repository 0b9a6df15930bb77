using System.CommandLine;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire events</c>: the decision history, one switch per line, with the reason. A reason quotes what sites
/// report and what probes read, so each line is escaped (<see cref="TerminalText"/>); the JSON form is escaped by
/// the daemon's serializer.
/// </summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var json = CommonOptions.Json();
        var command = new Command("events", "Show the decision history: every switch of serving site, when and why.") { socket, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, new ControlRequest("events"), cancellationToken);
            if (exitCode != 0 || result is not { } payload)
                return exitCode;
            if (parse.GetValue(json))
            {
                Console.WriteLine(payload.GetRawText());
                return 0;
            }
            var events = payload.Deserialize<List<DecisionEvent>>(ControlJson.Options) ?? [];
            if (events.Count == 0)
                Console.WriteLine("no switches yet");
            foreach (var decisionEvent in events)
                Console.WriteLine(TerminalText.Escape(decisionEvent.ToString()));
            return 0;
        });
        return command;
    }
}
