namespace Keepwire.Reports;

/// <summary>Why a datagram on the report port was not taken as a site's report; counted per reason, never logged with its content.</summary>
public enum SiteReportRejection
{
    /// <summary>Arrived on another interface than the hub's WireGuard interface: a spoofed source address.</summary>
    NotFromTunnel,

    /// <summary>The source is no site's tunnel address.</summary>
    UnknownSource,

    /// <summary>Larger than <see cref="SiteReport.MaxBytes"/>.</summary>
    Oversize,

    /// <summary>Not a signed report of this version: an agent older than the hub, or not a report at all.</summary>
    BadHeader,

    /// <summary>The tag does not match the site's key: forged on the site machine, or the keys in the config do not match the key files.</summary>
    BadTag,

    /// <summary>Authentic but not a well-formed report (cannot happen between agent and hub of one version).</summary>
    Malformed,

    /// <summary>Authentic, but names another site than the one it came from.</summary>
    WrongSite,

    /// <summary>Sent-at too far from the hub's clock: replayed, or the site's clock is off.</summary>
    Stale,

    /// <summary>A report this one does not follow (same or earlier sequence, or an older boot): replayed.</summary>
    Replayed,
}
