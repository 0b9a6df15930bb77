using System.Net;

namespace Keepwire.Lab;

/// <summary>An IPv4 and an IPv6 address of one host or role.</summary>
public sealed record DualStackAddress(IPAddress IPv4, IPAddress IPv6)
{
    public static DualStackAddress Parse(string ipv4, string ipv6) => new(IPAddress.Parse(ipv4), IPAddress.Parse(ipv6));

    public IEnumerable<IPAddress> Both => [IPv4, IPv6];
}

/// <summary>The hub host: public addresses on <see cref="PublicInterface"/>, the WireGuard end every site dials.</summary>
/// <param name="Tunnel">The hub's tunnel addresses; with <see cref="TunnelPrefixLengthIPv4"/>/<see cref="TunnelPrefixLengthIPv6"/> they form the tunnel network.</param>
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
    string EndpointHostName)
{
    public string Endpoint => $"{EndpointHostName}:{ListenPort}";
}

/// <summary>A site host running the agent, nginx and the UDP echo.</summary>
/// <param name="Host">The address of the site's own uplink: public, or private behind the NAT router.</param>
/// <param name="BehindNat">True for the site that stands for CGNAT: unreachable from outside, it dials out.</param>
public sealed record LabSite(
    string Name,
    string Namespace,
    int Priority,
    DualStackAddress Host,
    DualStackAddress Tunnel,
    string WireGuardInterface,
    bool BehindNat);

/// <summary>The NAT router in front of the CGNAT site: masquerades IPv4 and IPv6 out of <c>eth0</c>.</summary>
public sealed record LabNatRouter(string Namespace, DualStackAddress Outside, DualStackAddress Inside);

/// <summary>
/// The whole lab's layout. Addresses are fixed (documentation, RFC 1918 and ULA ranges only,
/// and only inside the lab's own namespaces); names derive from the prefix.
/// </summary>
/// <param name="InternetNamespace">Holds the bridge every public host is plugged into.</param>
/// <param name="InternetGateway">The bridge's own address: every public host's default gateway, standing for "the rest of the internet".</param>
public sealed record LabTopology(
    string Prefix,
    string InternetNamespace,
    string BridgeInterface,
    DualStackAddress InternetGateway,
    int PublicPrefixLengthIPv4,
    int PublicPrefixLengthIPv6,
    LabHub Hub,
    IReadOnlyList<LabSite> Sites,
    LabNatRouter Nat,
    string ClientNamespace,
    DualStackAddress Client,
    DualStackAddress Vips)
{
    /// <summary>The hosts that have a veth into the bridge, with their uplink addresses.</summary>
    public IEnumerable<(string Host, DualStackAddress Address)> PublicHosts =>
        [
            ("hub", Hub.Public),
            .. Sites.Where(s => !s.BehindNat).Select(s => (s.Name, s.Host)),
            ("nat", Nat.Outside),
            ("client", Client),
        ];

    public static LabTopology Create(string prefix)
    {
        LabNaming.EnsureValidPrefix(prefix);
        string Ns(string host) => LabNaming.NamespaceOf(prefix, host);

        var hub = new LabHub(
            Name: "hub",
            Namespace: Ns("hub"),
            PublicInterface: "eth0",
            Public: DualStackAddress.Parse("203.0.113.1", "2001:db8:113::1"),
            Tunnel: DualStackAddress.Parse("10.77.0.1", "fd77::1"),
            TunnelPrefixLengthIPv4: 24,
            TunnelPrefixLengthIPv6: 64,
            WireGuardInterface: prefix + "h",
            ListenPort: 51820,
            EndpointHostName: "hub.lab.test");

        LabSite[] sites =
        [
            new("alpha", Ns("alpha"), 300, DualStackAddress.Parse("203.0.113.11", "2001:db8:113::11"), DualStackAddress.Parse("10.77.0.11", "fd77::11"), prefix + "a", BehindNat: false),
            new("bravo", Ns("bravo"), 200, DualStackAddress.Parse("203.0.113.12", "2001:db8:113::12"), DualStackAddress.Parse("10.77.0.12", "fd77::12"), prefix + "b", BehindNat: false),
            new("charlie", Ns("charlie"), 100, DualStackAddress.Parse("192.168.13.2", "fd00:13::2"), DualStackAddress.Parse("10.77.0.13", "fd77::13"), prefix + "c", BehindNat: true),
        ];

        return new LabTopology(
            Prefix: prefix,
            InternetNamespace: Ns("net"),
            BridgeInterface: "br0",
            InternetGateway: DualStackAddress.Parse("203.0.113.254", "2001:db8:113::fe"),
            PublicPrefixLengthIPv4: 24,
            PublicPrefixLengthIPv6: 64,
            Hub: hub,
            Sites: sites,
            Nat: new LabNatRouter(Ns("nat"), DualStackAddress.Parse("203.0.113.13", "2001:db8:113::13"), DualStackAddress.Parse("192.168.13.1", "fd00:13::1")),
            ClientNamespace: Ns("client"),
            Client: DualStackAddress.Parse("203.0.113.100", "2001:db8:113::100"),
            Vips: DualStackAddress.Parse("203.0.113.80", "2001:db8:113::80"));
    }

    /// <summary>The site named <paramref name="name"/>, or an error listing the sites there are.</summary>
    public LabSite Site(string name) =>
        Sites.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"The lab has no site '{name}'; its sites are {string.Join(", ", Sites.Select(s => s.Name))}.", nameof(name));

    /// <summary>The namespace of a host: net, hub, alpha, bravo, charlie, nat or client.</summary>
    public string NamespaceOf(string host) =>
        LabNaming.Hosts.Contains(host)
            ? LabNaming.NamespaceOf(Prefix, host)
            : throw new ArgumentException($"The lab has no host '{host}'; its hosts are {string.Join(", ", LabNaming.Hosts)}.", nameof(host));

    /// <summary>Names of the daemons a lab can run: the hub and every site.</summary>
    public IEnumerable<string> Nodes => [Hub.Name, .. Sites.Select(s => s.Name)];

    /// <summary>Every WireGuard interface name of the lab (unique per machine: wireguard-go's sockets share /var/run/wireguard).</summary>
    public IEnumerable<string> WireGuardInterfaces => [Hub.WireGuardInterface, .. Sites.Select(s => s.WireGuardInterface)];

    public string WireGuardInterfaceOf(string node) => node == Hub.Name ? Hub.WireGuardInterface : Site(node).WireGuardInterface;

    public string NamespaceOfNode(string node) => node == Hub.Name ? Hub.Namespace : Site(node).Namespace;
}
