namespace Keepwire.Lab;

/// <summary>The two layouts a lab can have: the fixed addresses and the names derived from the prefix.</summary>
public sealed partial record LabTopology
{
    private static readonly DualStackAddress Hub1Public = DualStackAddress.Parse("203.0.113.1", "2001:db8:113::1");
    private static readonly DualStackAddress Hub2Public = DualStackAddress.Parse("203.0.113.2", "2001:db8:113::2");

    /// <summary>A provider-routed pair: each hub on its own /28 and /64 to the provider router; the VIPs off every link.</summary>
    private static readonly DualStackAddress Hub1Link = DualStackAddress.Parse("198.51.100.1", "2001:db8:101::1");
    private static readonly DualStackAddress Hub1LinkRouter = DualStackAddress.Parse("198.51.100.14", "2001:db8:101::fe");
    private static readonly DualStackAddress Hub2Link = DualStackAddress.Parse("198.51.100.17", "2001:db8:102::1");
    private static readonly DualStackAddress Hub2LinkRouter = DualStackAddress.Parse("198.51.100.30", "2001:db8:102::fe");

    public const int ProviderLinkPrefixLengthIPv4 = 28;
    public const int ProviderLinkPrefixLengthIPv6 = 64;

    /// <summary>
    /// The layout of lab <paramref name="prefix"/>: one hub, or with <paramref name="hubPair"/> two, which with
    /// <paramref name="providerRouted"/> share no layer 2 (see <see cref="IsProviderRouted"/>); with
    /// <paramref name="siteRouter"/>, alpha routes for a LAN with two servers (<see cref="Lan"/>).
    /// </summary>
    public static LabTopology Create(string prefix, bool hubPair = false, bool providerRouted = false, bool siteRouter = false)
    {
        LabNaming.EnsureValidPrefix(prefix);
        if (providerRouted && !hubPair)
            throw new ArgumentException("A provider-routed lab is a hub pair: build it with --hub-pair --provider.", nameof(providerRouted));
        if (hubPair)
            LabNaming.EnsureValidPairPrefix(prefix);
        string Ns(string host) => LabNaming.NamespaceOf(prefix, host);

        // A single hub keeps the names it has always had (kw1a2bh, kw1a2ba): scripts and tests know them.
        // In a pair every interface gets two characters, the second naming the hub (kw1a2bh2, kw1a2ba2).
        LabHub[] hubs = hubPair
            ? providerRouted
                ? [PairHub(prefix, 1, Hub1Link, 150) with { LinkRouter = Hub1LinkRouter }, PairHub(prefix, 2, Hub2Link, 100) with { LinkRouter = Hub2LinkRouter }]
                : [PairHub(prefix, 1, Hub1Public, 150), PairHub(prefix, 2, Hub2Public, 100)]
            :
            [
                new LabHub(
                    Name: "hub",
                    Namespace: Ns("hub"),
                    PublicInterface: "eth0",
                    Public: Hub1Public,
                    Tunnel: DualStackAddress.Parse("10.77.0.1", "fd77::1"),
                    TunnelPrefixLengthIPv4: 24,
                    TunnelPrefixLengthIPv6: 64,
                    WireGuardInterface: prefix + "h",
                    ListenPort: 51820,
                    EndpointHostName: "hub.lab.test"),
            ];

        IReadOnlyList<LabWireGuardLink> Links(char site) =>
            hubPair
                ? [.. hubs.Select((hub, index) => new LabWireGuardLink(hub.Name, $"{prefix}{site}{index + 1}"))]
                : [new LabWireGuardLink(hubs[0].Name, $"{prefix}{site}")];

        LabSite[] sites =
        [
            new("alpha", Ns("alpha"), 300, DualStackAddress.Parse("203.0.113.11", "2001:db8:113::11"), DualStackAddress.Parse("10.77.0.11", "fd77::11"), Links('a'), BehindNat: false),
            new("bravo", Ns("bravo"), 200, DualStackAddress.Parse("203.0.113.12", "2001:db8:113::12"), DualStackAddress.Parse("10.77.0.12", "fd77::12"), Links('b'), BehindNat: false),
            new("charlie", Ns("charlie"), 100, DualStackAddress.Parse("192.168.13.2", "fd00:13::2"), DualStackAddress.Parse("10.77.0.13", "fd77::13"), Links('c'), BehindNat: true),
        ];

        return new LabTopology(
            Prefix: prefix,
            InternetNamespace: Ns("net"),
            BridgeInterface: "br0",
            InternetGateway: DualStackAddress.Parse("203.0.113.254", "2001:db8:113::fe"),
            PublicPrefixLengthIPv4: 24,
            PublicPrefixLengthIPv6: 64,
            Hubs: hubs,
            Sites: sites,
            Nat: new LabNatRouter(Ns("nat"), DualStackAddress.Parse("203.0.113.13", "2001:db8:113::13"), DualStackAddress.Parse("192.168.13.1", "fd00:13::1")),
            ClientNamespace: Ns("client"),
            Client: DualStackAddress.Parse("203.0.113.100", "2001:db8:113::100"),
            // Inside the public /24 and /64: on-link for every public host, so clients find the VIPs by
            // ARP/ND on whichever hub holds them (the single hub's daemon, or keepalived in a pair). Provider-routed:
            // on no link at all, so only the provider router's route brings their traffic to a hub.
            Vips: providerRouted
                ? DualStackAddress.Parse("198.51.100.80", "2001:db8:180::80")
                : DualStackAddress.Parse("203.0.113.80", "2001:db8:113::80"))
        {
            Lan = siteRouter ? RouterLan(prefix) : null,
        };
    }

    /// <summary>
    /// alpha's LAN: lan1 routes back through alpha (the router keeps the clients' addresses), lan2 knows only its LAN
    /// (the router masquerades for it). Each serves one lab service on its own port.
    /// </summary>
    private static LabLan RouterLan(string prefix) =>
        new(
            Router: "alpha",
            Bridge: "lan0",
            RouterAddress: DualStackAddress.Parse("192.168.50.1", "fd00:50::1"),
            Servers:
            [
                new LabLanServer("lan1", LabNaming.NamespaceOf(prefix, "lan1"), DualStackAddress.Parse("192.168.50.11", "fd00:50::11"), RoutesBack: true, Service: "lanweb", Port: 8080),
                new LabLanServer("lan2", LabNaming.NamespaceOf(prefix, "lan2"), DualStackAddress.Parse("192.168.50.12", "fd00:50::12"), RoutesBack: false, Service: "lansnat", Port: 8081),
            ]);

    /// <summary>
    /// Every layout a lab named <paramref name="prefix"/> may have, so cleanup finds what a lab made
    /// even when its manifest (which says which layout it is) is gone.
    /// </summary>
    /// <remarks>Each with the router site's LAN: its names are those of the layout without it, and more.</remarks>
    public static IReadOnlyList<LabTopology> PossibleLayouts(string prefix) =>
        LabNaming.IsValidPairPrefix(prefix)
            ? [Create(prefix, siteRouter: true), Create(prefix, hubPair: true, siteRouter: true)]
            : [Create(prefix, siteRouter: true)];

    /// <summary>hub1 or hub2 of a pair: the same tunnel network, each its own address, key, port and name.</summary>
    private static LabHub PairHub(string prefix, int number, DualStackAddress publicAddress, int vrrpPriority) =>
        new(
            Name: $"hub{number}",
            Namespace: LabNaming.NamespaceOf(prefix, $"hub{number}"),
            PublicInterface: "eth0",
            Public: publicAddress,
            Tunnel: DualStackAddress.Parse($"10.77.0.{number}", $"fd77::{number}"),
            TunnelPrefixLengthIPv4: 24,
            TunnelPrefixLengthIPv6: 64,
            WireGuardInterface: $"{prefix}h{number}",
            // Distinct ports, so a capture on the bridge tells the two tunnels of a site apart at a glance.
            ListenPort: 51810 + 10 * number,
            EndpointHostName: $"hub{number}.lab.test",
            VrrpPriority: vrrpPriority);
}
