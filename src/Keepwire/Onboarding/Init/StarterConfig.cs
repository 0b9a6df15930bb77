using System.Globalization;
using System.Text;
using Keepwire.Model;
using Keepwire.Onboarding.Editing;

namespace Keepwire.Onboarding.Init;

/// <summary>
/// The configuration <c>keepwire init</c> starts a hub with: the hub, no site yet, and the services as a
/// commented example, each part with a comment that says what to do next.
/// </summary>
public static class StarterConfig
{
    public static string Render(HubInitOptions options, WireGuardKey publicKey, DateTimeOffset now)
    {
        var tunnel = new List<string>();
        if (options.Tunnel.IPv4 is { } ipv4)
            tunnel.Add(string.Create(CultureInfo.InvariantCulture, $"ipv4: {ipv4}/{options.Tunnel.IPv4PrefixLength}"));
        if (options.Tunnel.IPv6 is { } ipv6)
            tunnel.Add($"ipv6: {YamlScalars.Quoted(string.Create(CultureInfo.InvariantCulture, $"{ipv6}/{options.Tunnel.IPv6PrefixLength}"))}");

        var yaml = new StringBuilder();
        yaml.AppendLine($"# Keepwire configuration of hub {options.Name}, written by `keepwire init` on {now:yyyy-MM-dd HH:mm} UTC.");
        yaml.AppendLine("# Reference: /usr/share/doc/keepwire/configuration.md. After an edit: keepwire check " + options.ConfigPath);
        yaml.AppendLine("# and keepwire reload (or: systemctl reload keepwire-hub).");
        yaml.AppendLine();
        yaml.AppendLine("hubs:");
        yaml.AppendLine($"  - name: {options.Name}");
        yaml.AppendLine("    # What sites dial: WireGuard on this UDP port, and `keepwire join` on the same TCP port.");
        yaml.AppendLine($"    endpoint: {YamlScalars.Plain(options.Endpoint.ToString())}");
        if (options.Interface is { } wireGuardInterface)
            yaml.AppendLine($"    interface: {YamlScalars.Plain(wireGuardInterface)}");
        if (options.PublicInterface is { } publicInterface)
        {
            yaml.AppendLine("    # The services' public addresses (VIPs) are added to this interface.");
            yaml.AppendLine($"    public_interface: {YamlScalars.Plain(publicInterface)}");
        }
        yaml.AppendLine($"    public_key: {YamlScalars.Quoted(publicKey.Base64)}");
        yaml.AppendLine($"    private_key_file: {YamlScalars.Quoted(options.PrivateKeyFile)}");
        yaml.AppendLine("    # The tunnel network: `keepwire site add` gives each site the next free address in it.");
        yaml.AppendLine($"    tunnel: {{ {string.Join(", ", tunnel)} }}");
        yaml.AppendLine();
        yaml.AppendLine("# `keepwire site add NAME` adds a site here and prints the `keepwire join` command to run on it.");
        yaml.AppendLine("sites: []");
        yaml.AppendLine();
        yaml.AppendLine("# The public services. Once a site has joined, uncomment and fill in, then `keepwire reload`.");
        yaml.AppendLine("# Later sites join a service directly: keepwire site add NAME --service web");
        yaml.AppendLine("# services:");
        yaml.AppendLine("#   - name: web");
        yaml.AppendLine("#     vips: [198.51.100.80]        # public addresses of the service (not the hub's own address)");
        yaml.AppendLine("#     ports: [tcp/80, tcp/443]");
        yaml.AppendLine("#     sites: [zurich]              # the sites that may serve it; the highest priority serves");
        yaml.AppendLine("#     checks:");
        yaml.AppendLine("#       - { type: http, port: 80, path: / }");
        return yaml.ToString();
    }
}
