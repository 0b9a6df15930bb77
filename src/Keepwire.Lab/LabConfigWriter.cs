using System.Text;

namespace Keepwire.Lab;

/// <summary>
/// Writes the cluster config a lab's daemons run with, in the same YAML an operator would write:
/// one hub, or a hub pair whose sites have one WireGuard interface per hub.
/// </summary>
internal static class LabConfigWriter
{
    /// <summary>The one local check every lab site runs: fails while <see cref="LabPaths.LocalCheckFlagFile"/> exists.</summary>
    public const string LocalCheckName = "unhealthy-flag";

    /// <param name="publicKeys">Public key of every node, by node name.</param>
    /// <param name="conntrackd">In a hub pair: sync conntrack state between the hubs (the one hub_pair setting the lab can change).</param>
    public static string Render(LabTopology topology, LabPaths paths, IReadOnlyDictionary<string, string> publicKeys, bool conntrackd = false)
    {
        if (conntrackd && !topology.IsHubPair)
            throw new ArgumentException($"Lab {topology.Prefix} has one hub: conntrackd syncs the two hubs of a pair (build it with --hub-pair).", nameof(conntrackd));
        var siteNames = string.Join(", ", topology.Sites.Select(s => s.Name));
        var vips = $"[{topology.Vips.IPv4}, \"{topology.Vips.IPv6}\"]";

        var yaml = new StringBuilder();
        yaml.AppendLine($"# Written by `keepwire lab` for lab {topology.Prefix}; removed with the lab.");
        yaml.AppendLine("hubs:");
        foreach (var hub in topology.Hubs)
            AppendHub(yaml, topology, hub, paths, publicKeys);
        if (topology.IsHubPair)
        {
            // Every other hub_pair setting at its default: the lab shows the shipped failover timing.
            if (topology.IsProviderRouted)
                AppendProviderPair(yaml, topology, conntrackd);
            else
                yaml.AppendLine(conntrackd ? "hub_pair: { conntrackd: true }" : "hub_pair: {}");
        }
        yaml.AppendLine("sites:");
        foreach (var site in topology.Sites)
        {
            yaml.AppendLine($"  - name: {site.Name}");
            yaml.AppendLine($"    public_key: \"{publicKeys[site.Name]}\"");
            yaml.AppendLine($"    priority: {site.Priority}");
            yaml.AppendLine($"    tunnel: {{ ipv4: {site.Tunnel.IPv4}, ipv6: \"{site.Tunnel.IPv6}\" }}");
            if (topology.IsHubPair)
                yaml.AppendLine($"    interfaces: {{ {string.Join(", ", site.WireGuardLinks.Select(l => $"{l.Hub}: {l.Interface}"))} }}");
            else
                yaml.AppendLine($"    interface: {site.WireGuardInterface}");
            yaml.AppendLine($"    private_key_file: {paths.PrivateKeyFile(site.Name)}");
            yaml.AppendLine("    persistent_keepalive: 5");
            // Passes until a test creates the flag file, so by default it changes nothing but the agent's report text.
            yaml.AppendLine($"    local_checks: [{{ name: {LocalCheckName}, command: [test, \"!\", -e, \"{paths.LocalCheckFlagFile(site.Name)}\"] }}]");
        }
        yaml.AppendLine("services:");
        yaml.AppendLine("  - name: web");
        yaml.AppendLine($"    vips: {vips}");
        yaml.AppendLine("    ports: [tcp/80]");
        yaml.AppendLine($"    sites: [{siteNames}]");
        // Default check timing: the demo and the tests show the shipped behaviour.
        yaml.AppendLine("    checks:");
        yaml.AppendLine("      - { type: http, path: /healthz, expect_body: \"site=\" }");
        yaml.AppendLine("  - name: echo");
        yaml.AppendLine($"    vips: {vips}");
        yaml.AppendLine("    ports: [udp/7]");
        yaml.AppendLine($"    sites: [{siteNames}]");
        yaml.AppendLine("    checks:");
        yaml.AppendLine("      - { type: udp, port: 7, payload: ping, expect: \"site=\" }");
        if (topology.Lan is { } lan)
            AppendLanServices(yaml, topology, lan, vips);
        return yaml.ToString();
    }

    /// <summary>
    /// One service per LAN server, on the server's own port: the router site forwards it to the server (masquerading
    /// for the server that does not route back through it), bravo serves it itself, so it fails over like any other.
    /// </summary>
    private static void AppendLanServices(StringBuilder yaml, LabTopology topology, LabLan lan, string vips)
    {
        var other = topology.Sites.First(s => s.Name != lan.Router && !s.BehindNat).Name;
        foreach (var server in lan.Servers)
        {
            var address = $"[{server.Address.IPv4}, \"{server.Address.IPv6}\"]";
            yaml.AppendLine($"  - name: {server.Service}");
            yaml.AppendLine($"    vips: {vips}");
            yaml.AppendLine($"    ports: [tcp/{server.Port}]");
            yaml.AppendLine($"    sites: [{lan.Router}, {other}]");
            yaml.AppendLine(server.RoutesBack
                ? $"    backends: {{ {lan.Router}: {address} }}"
                : $"    backends: {{ {lan.Router}: {{ address: {address}, masquerade: true }} }}");
            yaml.AppendLine("    checks:");
            yaml.AppendLine($"      - {{ type: http, port: {server.Port}, path: /healthz, expect_body: \"site=\" }}");
        }
    }

    /// <summary>
    /// The hubs move the VIPs with the shipped generic HTTP hook through the lab's fake provider API; checks every
    /// 2 s (the default is 15 s) so a test sees a drift put right quickly.
    /// </summary>
    private static void AppendProviderPair(StringBuilder yaml, LabTopology topology, bool conntrackd)
    {
        yaml.AppendLine("hub_pair:");
        if (conntrackd)
            yaml.AppendLine("  conntrackd: true");
        yaml.AppendLine("  vip_mover: provider");
        yaml.AppendLine("  provider_hook:");
        yaml.AppendLine($"    command: [\"{LabProviderApi.GenericHttpHook()}\", \"{topology.ProviderApi}\"]");
        yaml.AppendLine("    timeout: 5s");
        yaml.AppendLine("    check_interval: 2s");
    }

    private static void AppendHub(StringBuilder yaml, LabTopology topology, LabHub hub, LabPaths paths, IReadOnlyDictionary<string, string> publicKeys)
    {
        yaml.AppendLine($"  - name: {hub.Name}");
        yaml.AppendLine($"    endpoint: {hub.Endpoint}");
        yaml.AppendLine($"    interface: {hub.WireGuardInterface}");
        yaml.AppendLine($"    public_interface: {hub.PublicInterface}");
        yaml.AppendLine($"    public_key: \"{publicKeys[hub.Name]}\"");
        yaml.AppendLine($"    private_key_file: {paths.PrivateKeyFile(hub.Name)}");
        yaml.AppendLine($"    tunnel: {{ ipv4: {hub.Tunnel.IPv4}/{hub.TunnelPrefixLengthIPv4}, ipv6: \"{hub.Tunnel.IPv6}/{hub.TunnelPrefixLengthIPv6}\" }}");
        if (!topology.IsHubPair)
            return;
        // The endpoint is a host name, so the pair address (VRRP unicast and hub sync) must be given.
        yaml.AppendLine($"    pair_address: {hub.Public.IPv4}");
        yaml.AppendLine($"    vrrp_priority: {hub.VrrpPriority}");
    }
}
