using Keepwire.Model;
using Keepwire.Security;

namespace Keepwire.Reports;

/// <summary>
/// The key that signs a site's reports to one hub: a <see cref="WireGuardDerivedKey"/> of the site's and
/// that hub's WireGuard keys. The site derives it from its private key and the hub's public key, the hub
/// from its private key and the site's public key. In a hub pair each hub has its own, so the site signs
/// each hub's copy for that hub, and neither hub could pass itself off as the site to the other.
/// </summary>
public static class SiteReportKey
{
    /// <summary>Names the protocol and its version, so this key is never the key of anything else.</summary>
    private const string Label = "Keepwire site report v1";

    /// <summary>The site's side: its own private key, the hub's public key.</summary>
    public static WireGuardDerivedKey ForSite(WireGuardKey sitePrivateKey, WireGuardKey hubPublicKey, string hub, string site) =>
        WireGuardDerivedKey.Derive(sitePrivateKey, hubPublicKey, Label, Info(hub, site), $"hub {hub}");

    /// <summary>The hub's side: its own private key, the site's public key.</summary>
    public static WireGuardDerivedKey ForHub(WireGuardKey hubPrivateKey, WireGuardKey sitePublicKey, string hub, string site) =>
        WireGuardDerivedKey.Derive(hubPrivateKey, sitePublicKey, Label, Info(hub, site), $"site {site}");

    private static string Info(string hub, string site) => $"{Label}\nhub {hub}\nsite {site}";
}
