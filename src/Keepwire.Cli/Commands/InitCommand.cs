using System.CommandLine;
using System.Globalization;
using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding;
using Keepwire.Onboarding.Editing;
using Keepwire.Onboarding.Init;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire init</c> on a new hub: its key and a starter configuration, from the options or from what the
/// host's routing table says, shown and confirmed before anything is written.
/// </summary>
internal static class InitCommand
{
    private const int DefaultPort = 51820;

    public static Command Create()
    {
        var name = new Option<string?>("--name") { Description = "The hub's name; default: this host's short name." };
        var endpoint = new Option<string?>("--endpoint")
        {
            Description = "host:port the sites dial (UDP) and join on (TCP); default: the address of the default route's interface, port 51820.",
        };
        var publicInterface = new Option<string?>("--public-interface") { Description = "Where the VIPs go; default: the default route's interface." };
        var interfaceName = new Option<string?>("--interface") { Description = "The hub's WireGuard interface (default kw0)." };
        var tunnelIPv4 = new Option<string>("--tunnel-ipv4") { Description = "The hub's tunnel address and network, or 'none'.", DefaultValueFactory = _ => "10.77.0.1/24" };
        var tunnelIPv6 = new Option<string>("--tunnel-ipv6") { Description = "The hub's IPv6 tunnel address and network, or 'none'.", DefaultValueFactory = _ => "fd77::1/64" };
        var config = CommonOptions.Config();
        var privateKey = new Option<string?>("--private-key") { Description = "The hub's private key file (kept if it exists); default: /etc/keepwire/NAME.key." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Write without asking." };
        var force = new Option<bool>("--force") { Description = "Replace an existing configuration file." };
        var command = new Command("init", "On a new hub: make its key and a starter configuration (shown, then written once confirmed).")
        {
            name, endpoint, publicInterface, interfaceName, tunnelIPv4, tunnelIPv6, config, privateKey, yes, force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var detected = await HostNetwork.DetectAsync(new RoutingCli(new CommandRunner()), cancellationToken);
            var hubName = parse.GetValue(name) ?? Environment.MachineName.Split('.')[0].ToLowerInvariant();
            if (OptionSyntax.Name(hubName, out var nameError) is null)
                return Failure.Report($"hub name: {nameError}; pass --name");
            if (ChooseEndpoint(parse.GetValue(endpoint), detected, out var endpointError) is not { } hubEndpoint)
                return Failure.Report(endpointError);
            if (Tunnel(parse.GetValue(tunnelIPv4)!, parse.GetValue(tunnelIPv6)!, out var tunnelError) is not { } tunnel)
                return Failure.Report(tunnelError);
            if (parse.GetValue(interfaceName) is { } wireGuardInterface && OptionSyntax.Interface(wireGuardInterface, "--interface", out var interfaceError) is null)
                return Failure.Report(interfaceError);
            var configPath = Path.GetFullPath(parse.GetValue(config)!);
            var options = new HubInitOptions(
                hubName, hubEndpoint, parse.GetValue(publicInterface) ?? detected.Interface, tunnel, configPath,
                Path.GetFullPath(parse.GetValue(privateKey) ?? Path.Combine(Path.GetDirectoryName(configPath) ?? "/etc/keepwire", hubName + ".key")))
            {
                Interface = parse.GetValue(interfaceName),
            };

            Console.WriteLine($"hub {options.Name}");
            Console.WriteLine($"  endpoint          {options.Endpoint}{(parse.GetValue(endpoint) is null ? "   (detected; behind 1:1 NAT? pass --endpoint PUBLIC:51820)" : "")}");
            Console.WriteLine($"  public interface  {options.PublicInterface ?? "none (something else puts the VIPs on the host)"}");
            Console.WriteLine($"  tunnel            {string.Join(", ", Describe(tunnel))}");
            Console.WriteLine($"  private key       {options.PrivateKeyFile}{(File.Exists(options.PrivateKeyFile) ? " (exists: kept)" : " (new)")}");
            Console.WriteLine($"  configuration     {options.ConfigPath}");
            if (!parse.GetValue(yes) && !Confirm())
                return Failure.Report("nothing written");

            try
            {
                var result = await HubInit.RunAsync(options, parse.GetValue(force), TimeProvider.System, cancellationToken);
                Console.WriteLine($"wrote {options.ConfigPath}; hub public key {result.PublicKey}");
            }
            catch (Exception e) when (e is ConfigEditException or KeyFileException or IOException or UnauthorizedAccessException)
            {
                return Failure.Report(e.Message);
            }
            Console.WriteLine($"next: open udp/{hubEndpoint.Port} and tcp/{hubEndpoint.Port} on the hub's firewall, systemctl enable --now keepwire-hub,");
            Console.WriteLine("      then keepwire site add NAME for each site.");
            return 0;
        });
        return command;
    }

    private static HostEndpoint? ChooseEndpoint(string? given, HostNetwork detected, out string? error)
    {
        if (given is not null)
        {
            var parsed = OptionSyntax.Endpoint(given, out var problem);
            error = problem is null ? null : $"--endpoint: {problem}";
            return parsed;
        }
        error = null;
        if ((detected.IPv4 ?? detected.IPv6) is { } address)
            return new HostEndpoint(address.ToString(), DefaultPort);
        error = "cannot tell this host's public address (no default route): pass --endpoint HOST:PORT";
        return null;
    }

    private static TunnelAddresses? Tunnel(string ipv4Text, string ipv6Text, out string? error)
    {
        error = null;
        (IPAddress Address, int PrefixLength)? ipv4 = null, ipv6 = null;
        if (ipv4Text != "none" && (ipv4 = OptionSyntax.InterfaceAddress(ipv4Text, out var problem4)) is null)
            error = $"--tunnel-ipv4: {problem4}";
        if (ipv6Text != "none" && (ipv6 = OptionSyntax.InterfaceAddress(ipv6Text, out var problem6)) is null)
            error = $"--tunnel-ipv6: {problem6}";
        if (error is null && ipv4 is null && ipv6 is null)
            error = "the tunnel needs at least one family: drop one of the 'none's";
        return error is null ? new TunnelAddresses(ipv4?.Address, ipv4?.PrefixLength ?? 0, ipv6?.Address, ipv6?.PrefixLength ?? 0) : null;
    }

    private static IEnumerable<string> Describe(TunnelAddresses tunnel)
    {
        if (tunnel.IPv4 is { } ipv4)
            yield return string.Create(CultureInfo.InvariantCulture, $"{ipv4}/{tunnel.IPv4PrefixLength}");
        if (tunnel.IPv6 is { } ipv6)
            yield return string.Create(CultureInfo.InvariantCulture, $"{ipv6}/{tunnel.IPv6PrefixLength}");
    }

    private static bool Confirm()
    {
        if (Console.IsInputRedirected)
        {
            Console.Error.WriteLine("not a terminal, so nobody can confirm: pass --yes to write it");
            return false;
        }
        Console.Write("write this? [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }
}
