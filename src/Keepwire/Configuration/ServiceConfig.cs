using System.Net;

namespace Keepwire.Configuration;

/// <summary>A public service: VIPs and ports, and the sites that may serve it.</summary>
/// <param name="Vips">Public addresses, IPv4 and/or IPv6.</param>
/// <param name="Sites">Site names allowed to serve, in no particular order (priority decides).</param>
public sealed record ServiceConfig(
    string Name,
    IReadOnlyList<IPAddress> Vips,
    IReadOnlyList<PortRule> Ports,
    IReadOnlyList<string> Sites);
