namespace Keepwire.Model;

public enum TransportProtocol
{
    Tcp,
    Udp,
}

/// <summary>
/// One forwarded port or port range. Written <c>tcp/443</c>, <c>udp/10000-10100</c>, or
/// <c>tcp/8443:443</c> (public 8443 to backend 443). A range keeps its ports: no backend mapping.
/// </summary>
public sealed record PortRule(TransportProtocol Protocol, int First, int Last, int? BackendPort)
{
    public bool IsRange => First != Last;

    /// <summary>The port the site sees for public port <see cref="First"/>.</summary>
    public int TargetPort => BackendPort ?? First;

    /// <summary>The ports the site is reached on: the range as it is, or the one port after the mapping.</summary>
    public (int First, int Last) SiteRange => IsRange ? (First, Last) : (TargetPort, TargetPort);

    public override string ToString()
    {
        var proto = Protocol == TransportProtocol.Tcp ? "tcp" : "udp";
        if (IsRange)
            return $"{proto}/{First}-{Last}";
        return BackendPort is { } backend ? $"{proto}/{First}:{backend}" : $"{proto}/{First}";
    }
}
