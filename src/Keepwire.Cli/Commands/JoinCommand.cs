using System.CommandLine;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Systemd;
using Keepwire.Configuration;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Join;
using Keepwire.Site;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire join TOKEN</c> on a site: its key made here, registered with the hub, its configuration
/// written, and the agent started (the systemd unit, or in this process with <c>--foreground</c>).
/// </summary>
internal static class JoinCommand
{
    private const string SiteUnit = "keepwire-site.service";

    public static Command Create()
    {
        var token = new Argument<string>("token") { Description = "The token `keepwire site add` printed on the hub." };
        var config = new Option<string>("--config", "-c")
        {
            Description = "Where to write this site's configuration.",
            DefaultValueFactory = _ => "/etc/keepwire/keepwire.yaml",
        };
        var privateKey = new Option<string?>("--private-key") { Description = "Where to write the site's new private key (mode 0600); default: NAME.key beside the config." };
        var interfaceName = new Option<string?>("--interface") { Description = "This site's WireGuard interface (default kw0)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing configuration file (a key file is never replaced)." };
        var foreground = new Option<bool>("--foreground") { Description = "Run the site agent in this process after joining, instead of starting the systemd unit." };
        var noStart = new Option<bool>("--no-start") { Description = "Only join and write the files; start nothing." };
        var socket = CommonOptions.Socket();
        var command = new Command("join", "On a new site: make its key, register it with the hub using the token, write its configuration and start the agent.")
        {
            token, config, privateKey, interfaceName, force, foreground, noStart, socket,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(interfaceName) is { } name && OptionSyntax.Interface(name, "--interface", out var interfaceError) is null)
                return Failure.Report(interfaceError);
            JoinResult joined;
            try
            {
                var options = new JoinOptions(parse.GetValue(token)!, parse.GetValue(config)!, parse.GetValue(privateKey), parse.GetValue(interfaceName), parse.GetValue(force));
                joined = await SiteJoiner.JoinAsync(options, TimeProvider.System, cancellationToken);
            }
            catch (Exception e) when (e is JoinException or KeyFileException or IOException or UnauthorizedAccessException)
            {
                return Failure.Report($"join failed: {e.Message}");
            }

            var site = joined.Site;
            Console.WriteLine($"joined as site {site.Name} (tunnel {string.Join(", ", site.Tunnel.All)}); configuration {joined.ConfigPath}, private key {joined.PrivateKeyFile}");
            if (parse.GetValue(foreground))
                return await RunAgentAsync(joined, parse.GetValue(socket)!, cancellationToken);
            if (parse.GetValue(noStart) || !SystemdUnits.IsAvailable)
            {
                Console.WriteLine($"start the agent: systemctl enable --now keepwire-site (or: keepwire site --config {joined.ConfigPath})");
                return 0;
            }
            try
            {
                await new SystemdUnits(new CommandRunner()).EnableAndRestartAsync(SiteUnit, cancellationToken);
            }
            catch (CommandFailedException e)
            {
                return Failure.Report($"joined, but starting {SiteUnit} failed: {e.Message}");
            }
            Console.WriteLine($"{SiteUnit} enabled and started; see `keepwire status` here and on the hub");
            return 0;
        });
        return command;
    }

    private static async Task<int> RunAgentAsync(JoinResult joined, string socket, CancellationToken cancellationToken)
    {
        using var loggers = Logging.CreateFactory();
        var options = new SiteAgentOptions(joined.ConfigPath, joined.Site.Name, socket, TimeSpan.FromSeconds(2));
        using var agent = SiteAgent.Create(options, new CommandRunner(), loggers, TimeProvider.System);
        await agent.RunAsync(cancellationToken);
        return 0;
    }
}
