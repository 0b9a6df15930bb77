using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Adapters.Conntrack;

/// <summary>
/// Conntrack entries the hub DNATed to one site for one public address: flows to
/// <see cref="Vip"/> over <see cref="Protocol"/>, on a destination port from <see cref="FirstPort"/>
/// to <see cref="LastPort"/> (any port when both are null), whose replies come from
/// <see cref="Site"/>.
/// </summary>
public sealed record FlowSelector
{
    public FlowSelector(IPAddress vip, TransportProtocol protocol, IPAddress site, int? firstPort = null, int? lastPort = null)
    {
        if (vip.AddressFamily != site.AddressFamily)
            throw new ArgumentException($"VIP {vip} and site address {site} are of different families: no flow is NATed between them", nameof(site));
        if (firstPort.HasValue != lastPort.HasValue || firstPort > lastPort)
            throw new ArgumentException($"port range {firstPort}-{lastPort} is not a range", nameof(lastPort));
        Vip = vip;
        Protocol = protocol;
        Site = site;
        FirstPort = firstPort;
        LastPort = lastPort;
    }

    public IPAddress Vip { get; }

    public TransportProtocol Protocol { get; }

    /// <summary>The site's tunnel address: the reply source of the flows DNATed to it.</summary>
    public IPAddress Site { get; }

    public int? FirstPort { get; }

    public int? LastPort { get; }

    public bool IsRange => FirstPort != LastPort;

    /// <summary>
    /// conntrack's filter for these flows on one destination port, or on every port when
    /// <paramref name="port"/> is null (the caller picks the ports: conntrack matches one port, not a range).
    /// </summary>
    public IReadOnlyList<string> Filter(int? port)
    {
        List<string> filter = ["-f", Vip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4", "-p", Protocol == TransportProtocol.Tcp ? "tcp" : "udp", "--orig-dst", Vip.ToString()];
        if (port is { } p)
            filter.AddRange(["--dport", p.ToString(CultureInfo.InvariantCulture)]);
        filter.AddRange(["--reply-src", Site.ToString()]);
        return filter;
    }

    public override string ToString() =>
        $"{(Protocol == TransportProtocol.Tcp ? "tcp" : "udp")} to {Vip}{(FirstPort is null ? "" : IsRange ? $" ports {FirstPort}-{LastPort}" : $" port {FirstPort}")} via {Site}";
}
