using System.Text;
using Keepwire.Model;

namespace Keepwire.Onboarding.Agentless;

/// <summary>
/// A wg-quick configuration for a site that runs plain WireGuard (a router, OPNsense, OpenWrt, a NAS) instead of
/// the agent: <c>mode: snat</c>, so the hub masquerades forwarded traffic to its own tunnel address and the site
/// needs no return-path routing; the hub probes it through the tunnel as any site. One peer per hub, each
/// allowed only that hub's tunnel addresses, so nothing else is routed into the tunnel.
/// </summary>
public static class WgQuickRenderer
{
    /// <param name="privateKey">The site's private key to embed; null writes a line to replace by hand (the key stays on the device).</param>
    /// <exception cref="ArgumentException">The site is not a <c>mode: snat</c> site.</exception>
    public static string Render(ClusterConfig config, SiteNode site, WireGuardKey? privateKey)
    {
        if (site.Mode != SiteMode.Snat)
        {
            throw new ArgumentException(
                $"site '{site.Name}' has mode agent: plain WireGuard cannot send replies back with the clients' addresses, which the hub expects of an agent site. "
                + $"Set 'mode: snat' for it in {config.SourcePath} (keepwire site add {site.Name} --snat does), reload, and render again",
                nameof(site));
        }

        var text = new StringBuilder();
        text.AppendLine($"# Keepwire site {site.Name} (mode: snat), for wg-quick or any WireGuard client.");
        text.AppendLine($"# Rendered by `keepwire render wg-quick {site.Name}` from {config.SourcePath}.");
        text.AppendLine("[Interface]");
        text.AppendLine(privateKey is { } key
            ? $"PrivateKey = {key.Base64}"
            : $"PrivateKey = <the private key whose public key is {site.PublicKey.Base64}: wg genkey on this device>");
        text.AppendLine($"Address = {string.Join(", ", site.Tunnel.All.Select(a => $"{a}/{(a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}"))}");
        foreach (var hub in config.Hubs)
        {
            text.AppendLine();
            text.AppendLine($"[Peer]");
            text.AppendLine($"# hub {hub.Name}");
            text.AppendLine($"PublicKey = {hub.PublicKey.Base64}");
            text.AppendLine($"Endpoint = {hub.Endpoint}");
            text.AppendLine($"AllowedIPs = {string.Join(", ", hub.Tunnel.All.Select(a => $"{a}/{(a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}"))}");
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"PersistentKeepalive = {site.PersistentKeepalive}");
        }
        return text.ToString();
    }
}
