using System.CommandLine;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.Site;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire status</c>: on a hub, per service the serving site and why, per site its tunnel and health; on a
/// site, its tunnel to every hub.
/// </summary>
internal static class StatusCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var socket = CommonOptions.Socket();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show which site serves each service and why, and each site's tunnel and health.") { socket, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (exitCode, result) = await ControlCall.SendAsync(parse.GetValue(socket)!, new ControlRequest("status"), cancellationToken);
            if (exitCode != 0 || result is not { } payload)
                return exitCode;
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(payload, Indented));
                return 0;
            }
            // A site agent answers with its own status, told apart by its "site" field.
            if (payload.TryGetProperty("site", out _))
                SiteStatusTable.Write(Console.Out, payload.Deserialize<SiteAgentStatus>(ControlJson.Options)!);
            else
                StatusTable.Write(Console.Out, payload.Deserialize<HubStatus>(ControlJson.Options)!);
            return 0;
        });
        return command;
    }
}
