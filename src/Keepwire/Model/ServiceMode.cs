namespace Keepwire.Model;

/// <summary>How the hub hands a service's traffic to the serving site.</summary>
public enum ServiceMode
{
    /// <summary>The hub holds the VIPs and DNATs the configured ports to the serving site's tunnel address.</summary>
    Dnat,

    /// <summary>
    /// No NAT: the hub routes the public addresses themselves into the serving site's tunnel, and the site holds
    /// them. Any protocol reaches the site, which sees the real source and destination addresses.
    /// </summary>
    Routed,
}
