using System.Globalization;
using System.Text;
using Keepwire.Model;
using Keepwire.Onboarding.Editing;

namespace Keepwire.Onboarding;

/// <summary>
/// The configuration a site runs with: the hubs (what the site dials and whom it trusts) and the site's own
/// entry, nothing else. The services, the other sites and the hubs' private settings stay on the hub. The
/// site's tunnel addresses are written out, because in a file with one site the allocation rule alone would
/// give it the first free address instead of the one the hub allocated.
/// </summary>
public static class SiteConfigRenderer
{
    /// <param name="privateKeyFile">Where the site keeps its private key; null leaves the default (<c>/etc/keepwire/NAME.key</c>).</param>
    /// <param name="interfaceName">The site's WireGuard interface with one hub (local to the site); null keeps the hub's view.</param>
    public static string Render(ClusterConfig config, SiteNode site, string? header, string? privateKeyFile = null, string? interfaceName = null)
    {
        var yaml = new StringBuilder();
        if (header is not null)
        {
            foreach (var line in header.Split('\n'))
                yaml.Append("# ").AppendLine(line);
        }
        yaml.AppendLine("hubs:");
        foreach (var hub in config.Hubs)
            AppendHub(yaml, hub, config.HubPair is not null);
        if (config.HubPair is { } pair)
        {
            yaml.AppendLine("hub_pair:");
            yaml.AppendLine(Inv($"  virtual_router_id: {pair.VirtualRouterId}"));
            yaml.AppendLine($"  advert_interval: {Duration(pair.AdvertInterval)}");
            yaml.AppendLine(Inv($"  sync_port: {pair.SyncPort}"));
            yaml.AppendLine($"  peer_timeout: {Duration(pair.PeerTimeout)}");
            yaml.AppendLine($"  conntrackd: {(pair.Conntrackd ? "true" : "false")}");
        }
        yaml.AppendLine("sites:");
        AppendSite(yaml, config, site, privateKeyFile, interfaceName);
        return yaml.ToString();
    }

    private static void AppendHub(StringBuilder yaml, HubNode hub, bool inPair)
    {
        yaml.AppendLine($"  - name: {hub.Name}");
        yaml.AppendLine($"    endpoint: {YamlScalars.Plain(hub.Endpoint.ToString())}");
        yaml.AppendLine($"    public_key: {YamlScalars.Quoted(hub.PublicKey.Base64)}");
        yaml.AppendLine($"    tunnel: {Tunnel(hub.Tunnel, withPrefix: true)}");
        if (!inPair)
            return;
        // Required in a pair for the file to validate, though only the hubs use them.
        if (hub.PublicInterface is { } publicInterface)
            yaml.AppendLine($"    public_interface: {YamlScalars.Plain(publicInterface)}");
        if (hub.PairAddress is { } pairAddress)
            yaml.AppendLine($"    pair_address: {YamlScalars.Quoted(pairAddress.ToString())}");
        yaml.AppendLine(Inv($"    vrrp_priority: {hub.VrrpPriority}"));
    }

    private static void AppendSite(StringBuilder yaml, ClusterConfig config, SiteNode site, string? privateKeyFile, string? interfaceName)
    {
        yaml.AppendLine($"  - name: {site.Name}");
        yaml.AppendLine($"    public_key: {YamlScalars.Quoted(site.PublicKey.Base64)}");
        yaml.AppendLine(Inv($"    priority: {site.Priority}"));
        yaml.AppendLine($"    mode: {(site.Mode == SiteMode.Snat ? "snat" : "agent")}");
        yaml.AppendLine($"    tunnel: {Tunnel(site.Tunnel, withPrefix: false)}");
        if (config.Hubs.Count == 1)
            yaml.AppendLine($"    interface: {YamlScalars.Plain(interfaceName ?? site.InterfaceFor(config.Hubs[0]))}");
        else
            yaml.AppendLine($"    interfaces: {{ {string.Join(", ", config.Hubs.Select(h => $"{h.Name}: {YamlScalars.Plain(site.InterfaceFor(h))}"))} }}");
        if (privateKeyFile is not null)
            yaml.AppendLine($"    private_key_file: {YamlScalars.Quoted(privateKeyFile)}");
        yaml.AppendLine(Inv($"    persistent_keepalive: {site.PersistentKeepalive}"));
        if (site.LocalChecks.Count == 0)
            return;
        yaml.AppendLine("    local_checks:");
        foreach (var check in site.LocalChecks)
        {
            var command = string.Join(", ", check.Command.Select(YamlScalars.Quoted));
            yaml.AppendLine($"      - {{ name: {check.Name}, command: [{command}], timeout: {Duration(check.Timeout)} }}");
        }
    }

    private static string Tunnel(TunnelAddresses tunnel, bool withPrefix)
    {
        List<string> fields = [];
        if (tunnel.IPv4 is { } ipv4)
            fields.Add(withPrefix ? Inv($"ipv4: {ipv4}/{tunnel.IPv4PrefixLength}") : $"ipv4: {ipv4}");
        if (tunnel.IPv6 is { } ipv6)
            fields.Add($"ipv6: {YamlScalars.Quoted(withPrefix ? Inv($"{ipv6}/{tunnel.IPv6PrefixLength}") : ipv6.ToString())}");
        return "{ " + string.Join(", ", fields) + " }";
    }

    /// <summary>In milliseconds: exact for every duration the config accepts.</summary>
    private static string Duration(TimeSpan value) => value.TotalMilliseconds.ToString("0.####", CultureInfo.InvariantCulture) + "ms";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
