using System.CommandLine;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Hub;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire events [SERVICE] [--site SITE] [--limit N]</c>: the decision history, one switch per line, with the
/// reason; the newest ones. Between them, what the hub did not count of its evidence and why (a probe that timed out
/// while the hub stalled, every site failing at once): the hub's notes, unless a service is asked for. A reason quotes what sites report and what probes read, so each line is escaped
/// (<see cref="TerminalText"/>); the JSON form is escaped by the serializer (the same options as the daemon's).
/// </summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var service = new Argument<string?>("service") { Description = "Only this service's switches.", Arity = ArgumentArity.ZeroOrOne };
        var site = new Option<string?>("--site") { Description = "Only switches to or from this site." };
        var limit = new Option<int>("--limit", "-n")
        {
            Description = "Show the newest N (0: all).",
            DefaultValueFactory = _ => DecisionEventFilter.DefaultLimit,
        };
        var socket = CommonOptions.Socket();
        var json = CommonOptions.Json();
        var command = new Command("events", "Show the decision history: every switch of serving site, when and why (the newest 50 unless --limit).")
        {
            service, site, limit, socket, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(limit) < 0)
                result.AddError("--limit must be 0 (all) or more");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, new ControlRequest("events"), cancellationToken);
            if (exitCode != 0 || result is not { } payload)
                return exitCode;
            var events = payload.Deserialize(ControlJson.Info<List<DecisionEvent>>()) ?? [];
            var filter = new DecisionEventFilter(parse.GetValue(service), parse.GetValue(site), parse.GetValue(limit));
            var (shown, matching) = filter.Apply(events);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(shown, ControlJson.Info<IReadOnlyList<DecisionEvent>>()));
                return 0;
            }
            if (matching == 0)
                Console.WriteLine(events.Count == 0 ? "no switches yet" : "no switches match");
            if (shown.Count < matching)
                Console.WriteLine($"(the newest {shown.Count} of {matching}; --limit 0 for all)");
            var notes = filter.Service is null ? await NotesAsync(parse.GetValue(socket)!, cancellationToken) : [];
            var lines = shown.Select(e => (e.Time, Text: e.ToString()))
                .Concat(filter.ApplyNotes(notes).Select(n => (n.Time, Text: n.ToString())))
                .OrderBy(l => l.Time);
            foreach (var (_, text) in lines)
                Console.WriteLine(TerminalText.Escape(text));
            return 0;
        });
        return command;
    }

    /// <summary>The hub's notes on its evidence; none from a hub too old to keep them.</summary>
    private static async Task<List<HubNote>> NotesAsync(string socket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await new ControlClient(socket).SendAsync(new ControlRequest("evidence"), cancellationToken);
            return response is { Ok: true, Result: { } result } ? result.Deserialize(ControlJson.Info<List<HubNote>>()) ?? [] : [];
        }
        catch (Exception e) when (e is ControlUnavailableException or IOException or JsonException)
        {
            return [];
        }
    }
}
