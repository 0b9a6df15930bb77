using System.CommandLine;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.Site;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire status</c>: on a hub, per service the serving site and why, per site its tunnel and health; on a
/// site, its tunnel to every hub. A hub with many services gets a summary unless asked for more
/// (<c>keepwire status SERVICE…</c>, <c>--site</c>, <c>--problems</c>, <c>--all</c>).
/// </summary>
internal static class StatusCommand
{
    /// <summary>Up to this many services the full tables fit a screen or two; beyond it the default is a summary.</summary>
    public const int FullTableLimit = 40;

    private static readonly JsonSerializerOptions Indented = new(ControlJson.Options) { WriteIndented = true };

    public static Command Create()
    {
        var services = new Argument<string[]>("service") { Description = "Only these services, with the sites that may serve them.", Arity = ArgumentArity.ZeroOrMore };
        var site = new Option<string?>("--site") { Description = "Only this site and the services it may serve." };
        var problems = new Option<bool>("--problems") { Description = "Only services off their first-choice site and sites that are drained or failing checks." };
        var all = new Option<bool>("--all") { Description = "Every service and site in full, however many." };
        var socket = CommonOptions.Socket();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show which site serves each service and why, and each site's tunnel and health.")
        {
            services, site, problems, all, socket, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, new ControlRequest("status"), cancellationToken);
            if (exitCode != 0 || result is not { } payload)
                return exitCode;
            // A site agent answers with its own status, told apart by its "site" field.
            if (payload.TryGetProperty("site", out _))
            {
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(payload, Indented.Contract<JsonElement>()));
                else
                    SiteStatusTable.Write(Console.Out, payload.Deserialize(ControlJson.Info<SiteAgentStatus>())!);
                return 0;
            }

            var status = payload.Deserialize(ControlJson.Info<HubStatus>())!;
            var filter = new HubStatusFilter(parse.GetValue(services) ?? [], parse.GetValue(site), parse.GetValue(problems));
            if (filter.Unknown(status) is { Count: > 0 } unknown)
            {
                foreach (var problem in unknown)
                    await Console.Error.WriteLineAsync(TerminalText.Escape(problem));
                return 2;
            }

            var shown = filter.Apply(status);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(shown, Indented.Contract<HubStatus>()));
            else if (filter.IsEmpty && !parse.GetValue(all) && status.Services.Count > FullTableLimit)
                StatusTable.WriteSummary(Console.Out, status);
            else
                StatusTable.Write(Console.Out, shown);
            return 0;
        });
        return command;
    }
}
