using System.Net;

namespace Keepwire.Lab;

/// <summary>An IPv4 and an IPv6 address of one host or role.</summary>
public sealed record DualStackAddress(IPAddress IPv4, IPAddress IPv6)
{
    public static DualStackAddress Parse(string ipv4, string ipv6) => new(IPAddress.Parse(ipv4), IPAddress.Parse(ipv6));

    public IEnumerable<IPAddress> Both => [IPv4, IPv6];
}

/// <summary>A hub host: public addresses on <see cref="PublicInterface"/>, the WireGuard end every site dials.</summary>
/// <param name="Tunnel">The hub's tunnel addresses; with <see cref="TunnelPrefixLengthIPv4"/>/<see cref="TunnelPrefixLengthIPv6"/> they form the tunnel network.</param>
/// <param name="VrrpPriority">In a hub pair, the hub's keepalived priority; null for a single hub.</param>
public sealed record LabHub(
    string Name,
    string Namespace,
    string PublicInterface,
    DualStackAddress Public,
    DualStackAddress Tunnel,
    int TunnelPrefixLengthIPv4,
    int TunnelPrefixLengthIPv6,
    string WireGuardInterface,
    int ListenPort,
    string EndpointHostName,
    int? VrrpPriority = null)
{
    public string Endpoint => $"{EndpointHostName}:{ListenPort}";

    /// <summary>
    /// In a provider-routed lab: the provider router's address on this hub's own link (the hub's default gateway),
    /// and the links' prefix lengths. Null where the hub is plugged into the shared bridge.
    /// </summary>
    public DualStackAddress? LinkRouter { get; init; }
}

/// <summary>One of a site's WireGuard interfaces: the one whose only peer is <paramref name="Hub"/>.</summary>
public sealed record LabWireGuardLink(string Hub, string Interface);

/// <summary>A site host running the agent, nginx and the UDP echo.</summary>
/// <param name="Host">The address of the site's own uplink: public, or private behind the NAT router.</param>
/// <param name="WireGuardLinks">One WireGuard interface per hub, in the order of the lab's hubs.</param>
/// <param name="BehindNat">True for the site that stands for CGNAT: unreachable from outside, it dials out.</param>
public sealed record LabSite(
    string Name,
    string Namespace,
    int Priority,
    DualStackAddress Host,
    DualStackAddress Tunnel,
    IReadOnlyList<LabWireGuardLink> WireGuardLinks,
    bool BehindNat)
{
    /// <summary>The interface to the first (or only) hub.</summary>
    public string WireGuardInterface => WireGuardLinks[0].Interface;

    public string InterfaceFor(string hub) =>
        WireGuardLinks.FirstOrDefault(link => link.Hub == hub)?.Interface
        ?? throw new ArgumentException($"Site {Name} has no WireGuard interface to '{hub}'; it dials {string.Join(", ", WireGuardLinks.Select(l => l.Hub))}.", nameof(hub));
}

/// <summary>The NAT router in front of the CGNAT site: masquerades IPv4 and IPv6 out of <c>eth0</c>.</summary>
/// <param name="Inside">The router's address on the site's private network (a /24 and a /64).</param>
public sealed record LabNatRouter(string Namespace, DualStackAddress Outside, DualStackAddress Inside)
{
    public const int InsidePrefixLengthIPv4 = 24;
    public const int InsidePrefixLengthIPv6 = 64;

    /// <summary>The site's private networks behind the router, IPv4 then IPv6.</summary>
    public IReadOnlyList<IPNetwork> InsideNetworks =>
        [NetworkOf(Inside.IPv4, InsidePrefixLengthIPv4), NetworkOf(Inside.IPv6, InsidePrefixLengthIPv6)];

    private static IPNetwork NetworkOf(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefixLength; bit < bytes.Length * 8; bit++)
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new IPNetwork(new IPAddress(bytes), prefixLength);
    }
}

/// <summary>
/// The LAN behind a router site (<c>keepwire lab up --site-router</c>): a bridge on the router and two servers plugged
/// into it, each in its own namespace running nginx. The cluster config makes the router site forward two services
/// to them (<see cref="LabConfigWriter"/>).
/// </summary>
/// <param name="Router">The site that routes for the LAN (alpha).</param>
/// <param name="Bridge">The LAN's bridge in the router's namespace.</param>
/// <param name="RouterAddress">The router's address on the LAN: the default gateway of servers that route back through it.</param>
/// <param name="Servers">The LAN servers.</param>
public sealed record LabLan(string Router, string Bridge, DualStackAddress RouterAddress, IReadOnlyList<LabLanServer> Servers)
{
    public const int PrefixLengthIPv4 = 24;
    public const int PrefixLengthIPv6 = 64;

    public LabLanServer Server(string name) =>
        Servers.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"The lab's LAN has no server '{name}'; its servers are {string.Join(", ", Servers.Select(s => s.Name))}.", nameof(name));
}

/// <summary>A server on the LAN behind the router site.</summary>
/// <param name="RoutesBack">
/// The server's default route is the router, so its replies to clients go back through it and the router can keep the
/// clients' addresses. Without, the server reaches only its own LAN: the router must masquerade for it.
/// </param>
/// <param name="Service">The lab service the router forwards to this server.</param>
/// <param name="Port">The port of that service, at the sites and on this server.</param>
public sealed record LabLanServer(string Name, string Namespace, DualStackAddress Address, bool RoutesBack, string Service, int Port);
