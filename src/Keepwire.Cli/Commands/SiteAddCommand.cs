using System.CommandLine;
using Keepwire.Model;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Editing;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire site add NAME</c> on the hub: the site goes into the configuration (comments and layout kept),
/// the hub reloads, and the command to run on the site is printed.
/// </summary>
internal static class SiteAddCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The new site's name: lowercase letters, digits and '-'." };
        var priority = new Option<int?>("--priority") { Description = "Higher wins: of a service's healthy sites the highest priority serves (1-1000; default 100)." };
        var snat = new Option<bool>("--snat") { Description = "The site runs plain WireGuard, not the agent (mode: snat): the hub masquerades; see `keepwire render wg-quick`." };
        var services = new Option<string[]>("--service")
        {
            Description = "Also add the site to this service's sites (repeat for several).",
            DefaultValueFactory = _ => [],
        };
        var publicKey = new Option<string?>("--public-key")
        {
            Description = "The site's own public key, for a device that makes its key itself (a router): no join token then.",
        };
        var expiresIn = new Option<string>("--expires-in") { Description = "How long the join token works: 30m, 2h, …", DefaultValueFactory = _ => "1h" };
        var joinEndpoint = new Option<string?>("--join-endpoint")
        {
            Description = "host:port where the site reaches the hub's join port (TCP); default: the hub's endpoint.",
        };
        var config = CommonOptions.Config();
        var node = CommonOptions.NodeOrInferred();
        var stateDirectory = CommonOptions.StateDirectory();
        var socket = CommonOptions.Socket();
        var command = new Command("add", "On the hub: add a site to the configuration (keeping its comments), reload, and print the `keepwire join` command for the site.")
        {
            name, priority, snat, services, publicKey, expiresIn, joinEndpoint, config, node, stateDirectory, socket,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configPath = parse.GetValue(config)!;
            if (NodeSelection.Resolve(configPath, parse.GetValue(node), hub: true, out var nodeError) is not { } hub)
                return Failure.Report(nodeError);
            if (OptionSyntax.Duration(parse.GetValue(expiresIn)!, "--expires-in", out var durationError) is not { } lifetime)
                return Failure.Report(durationError);
            HostEndpoint? endpoint = null;
            if (parse.GetValue(joinEndpoint) is { } endpointText && (endpoint = OptionSyntax.Endpoint(endpointText, out var endpointError)) is null)
                return Failure.Report($"--join-endpoint: {endpointError}");
            WireGuardKey? siteKey = null;
            if (parse.GetValue(publicKey) is { } keyText)
            {
                if (!WireGuardKey.TryParse(keyText, out var parsedKey))
                    return Failure.Report("--public-key: not a WireGuard public key (44 base64 characters, as `wg pubkey` prints)");
                siteKey = parsedKey;
            }

            var request = new SiteAddRequest(
                configPath, parse.GetValue(stateDirectory)!, hub, parse.GetValue(name)!, parse.GetValue(priority), parse.GetValue(snat),
                parse.GetValue(services)!, siteKey, lifetime, endpoint);
            SiteAddResult result;
            try
            {
                result = await SiteEnrollment.AddAsync(request, TimeProvider.System, cancellationToken);
            }
            catch (Exception e) when (e is ConfigEditException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                return Failure.Report(e.Message);
            }

            Report(result, configPath, await ControlCall.TryReloadAsync(parse.GetValue(socket)!, cancellationToken));
            return 0;
        });
        return command;
    }

    private static void Report(SiteAddResult result, string configPath, string? reloadError)
    {
        var site = result.Site;
        if (result.Renewed)
        {
            Console.WriteLine($"site {site.Name} is already in {configPath}, awaiting its join: here is a new token (earlier ones for it no longer work).");
        }
        else
        {
            Console.WriteLine($"added site {site.Name} to {configPath}: tunnel {string.Join(", ", site.Tunnel.All)}, priority {site.Priority}, mode {(site.Mode == SiteMode.Snat ? "snat" : "agent")}");
            Console.WriteLine(reloadError is null ? "the hub reloaded its configuration" : $"the hub did not reload ({reloadError}); start it, or run keepwire reload");
        }

        if (result.Token is { } token)
        {
            Console.WriteLine();
            Console.WriteLine($"On {site.Name}, as root, run (the token works once, until {token.ExpiresAt:yyyy-MM-dd HH:mm} UTC; it needs tcp/{token.JoinEndpoint.Port} to the hub):");
            Console.WriteLine();
            Console.WriteLine($"  keepwire join {token.Encode()}");
            Console.WriteLine();
        }
        else
        {
            Console.WriteLine($"the site brings its own key: configure its WireGuard with `keepwire render wg-quick {site.Name}`");
        }
    }
}
