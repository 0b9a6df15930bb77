namespace Keepwire.Lab;

/// <summary>
/// The whole lab's layout: one hub, or a hub pair (<see cref="IsHubPair"/>). Addresses are fixed
/// (documentation, RFC 1918 and ULA ranges only, and only inside the lab's own namespaces); names
/// derive from the prefix. Every public host, the hubs and the VIPs share one on-link segment (the
/// bridge), so whichever hub holds a VIP answers ARP/ND for it: what VRRP needs to move the VIPs.
/// </summary>
/// <param name="InternetNamespace">Holds the bridge every public host is plugged into.</param>
/// <param name="InternetGateway">The bridge's own address: every public host's default gateway, standing for "the rest of the internet".</param>
/// <param name="Hubs">One hub, or two (hub1 then hub2).</param>
public sealed partial record LabTopology(
    string Prefix,
    string InternetNamespace,
    string BridgeInterface,
    DualStackAddress InternetGateway,
    int PublicPrefixLengthIPv4,
    int PublicPrefixLengthIPv6,
    IReadOnlyList<LabHub> Hubs,
    IReadOnlyList<LabSite> Sites,
    LabNatRouter Nat,
    string ClientNamespace,
    DualStackAddress Client,
    DualStackAddress Vips)
{
    /// <summary>
    /// An address on the public segment that no host has: a next hop nobody answers ARP/ND for
    /// (<see cref="LabHandle.StopNatTranslationAsync"/> routes the NAT site's private network to it).
    /// </summary>
    public DualStackAddress UnansweredNextHop { get; } = DualStackAddress.Parse("203.0.113.250", "2001:db8:113::fa");

    /// <summary>The LAN behind the router site, with <c>--site-router</c>; null otherwise.</summary>
    public LabLan? Lan { get; init; }

    /// <summary>The hub of a single-hub lab; in a pair, the first hub (hub1).</summary>
    public LabHub Hub => Hubs[0];

    /// <summary>Two hubs sharing the VIPs through keepalived, every site dialling both.</summary>
    public bool IsHubPair => Hubs.Count == 2;

    /// <summary>
    /// A hub pair without a shared layer 2: each hub has its own link to the internet namespace, which is also the
    /// provider's router and routes each VIP to one hub's own address; the fake provider API
    /// (<see cref="LabProviderApi"/>) moves that route when the hubs' generic HTTP hook asks.
    /// </summary>
    public bool IsProviderRouted => Hubs.Any(h => h.LinkRouter is not null);

    /// <summary>Where the fake provider API listens, in the internet namespace (a provider-routed lab only).</summary>
    public Uri ProviderApi => new($"http://{InternetGateway.IPv4}:{LabProviderApi.Port}/");

    /// <summary>The lab's hosts, each one network namespace named <c>{prefix}-{host}</c>.</summary>
    public IReadOnlyList<string> Hosts => [.. IsHubPair ? LabNaming.PairHosts : LabNaming.Hosts, .. Lan?.Servers.Select(s => s.Name) ?? []];

    /// <summary>The hosts that have a veth into the bridge, with their uplink addresses.</summary>
    public IEnumerable<(string Host, DualStackAddress Address)> PublicHosts =>
        [
            .. Hubs.Where(h => h.LinkRouter is null).Select(h => (h.Name, h.Public)),
            .. Sites.Where(s => !s.BehindNat).Select(s => (s.Name, s.Host)),
            ("nat", Nat.Outside),
            ("client", Client),
        ];

    /// <summary>The site named <paramref name="name"/>, or an error listing the sites there are.</summary>
    public LabSite Site(string name) =>
        Sites.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"The lab has no site '{name}'; its sites are {string.Join(", ", Sites.Select(s => s.Name))}.", nameof(name));

    /// <summary>The hub named <paramref name="name"/>, or an error listing the hubs there are.</summary>
    public LabHub HubNamed(string name) =>
        Hubs.FirstOrDefault(h => h.Name == name)
        ?? throw new ArgumentException($"The lab has no hub '{name}'; its hubs are {string.Join(", ", Hubs.Select(h => h.Name))}.", nameof(name));

    public bool IsHub(string node) => Hubs.Any(h => h.Name == node);

    /// <summary>The namespace of a host: net, the hub(s), alpha, bravo, charlie, nat, client, or a LAN server (lan1, lan2).</summary>
    public string NamespaceOf(string host) =>
        Hosts.Contains(host)
            ? LabNaming.NamespaceOf(Prefix, host)
            : throw new ArgumentException($"The lab has no host '{host}'; its hosts are {string.Join(", ", Hosts)}.", nameof(host));

    /// <summary>Names of the daemons a lab can run: the hub(s), then every site.</summary>
    public IEnumerable<string> Nodes => [.. Hubs.Select(h => h.Name), .. Sites.Select(s => s.Name)];

    /// <summary>Every WireGuard interface name of the lab (unique per machine: wireguard-go's sockets share /var/run/wireguard).</summary>
    public IEnumerable<string> WireGuardInterfaces =>
        [.. Hubs.Select(h => h.WireGuardInterface), .. Sites.SelectMany(s => s.WireGuardLinks.Select(l => l.Interface))];

    /// <summary>A hub's interface, or a site's interface to the first hub (<see cref="LabSite.InterfaceFor"/> names the others).</summary>
    public string WireGuardInterfaceOf(string node) => IsHub(node) ? HubNamed(node).WireGuardInterface : Site(node).WireGuardInterface;

    public string NamespaceOfNode(string node) => IsHub(node) ? HubNamed(node).Namespace : Site(node).Namespace;
}
