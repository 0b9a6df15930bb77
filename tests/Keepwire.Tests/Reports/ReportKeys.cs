using Keepwire.Configuration;
using Keepwire.Reports;
using Keepwire.Security;

namespace Keepwire.Tests.Reports;

/// <summary>A hub's and a site's key pairs and the report key each side derives.</summary>
internal sealed class ReportKeys : IDisposable
{
    public ReportKeys()
    {
        SiteSide = SiteReportKey.ForSite(Site.PrivateKey, Hub.PublicKey, "hub", "alpha");
        HubSide = SiteReportKey.ForHub(Hub.PrivateKey, Site.PublicKey, "hub", "alpha");
    }

    public KeyPair Hub { get; } = KeyPair.Generate();

    public KeyPair Site { get; } = KeyPair.Generate();

    /// <summary>What alpha signs with.</summary>
    public WireGuardDerivedKey SiteSide { get; }

    /// <summary>What the hub checks alpha's reports with.</summary>
    public WireGuardDerivedKey HubSide { get; }

    public static SiteReport Report(string site = "alpha", bool healthy = false, string reason = "local check disk failed", Guid? boot = null, long sequence = 1, DateTimeOffset? sentAt = null) =>
        new(site, healthy, reason, boot ?? Guid.Parse("5e5e5e5e-0000-4000-8000-000000000001"), sequence, sentAt ?? DateTimeOffset.UtcNow);

    public void Dispose()
    {
        SiteSide.Dispose();
        HubSide.Dispose();
    }
}
