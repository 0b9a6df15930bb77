using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Keepwire.Adapters.Routing;

namespace Keepwire.Reconciliation;

/// <summary>
/// The nftables table a site owns, <c>inet keepwire_site</c>: the part of the return path that policy rules alone
/// cannot do (<see cref="SiteReturnPathSpec"/> says which parts a site needs; with neither, it has no table).
/// </summary>
/// <remarks>
/// <para>In a hub pair, it records on each connection the tunnel it last arrived through and puts that record on
/// the connection's replies, where the policy rules of <see cref="SiteNetworkReconciler.ReturnPath"/> read it:</para>
/// <list type="bullet">
/// <item>prerouting: every packet arriving through a tunnel sets the connection's mark, so after a hub
/// failover the hub that now carries the connection also gets its replies.</item>
/// <item>output (type route, so the kernel routes again after the mark changes): locally generated replies
/// take the connection's mark.</item>
/// <item>prerouting, from any other interface: replies forwarded by the site (containers, VMs behind it) take
/// the connection's mark before the routing decision.</item>
/// </list>
/// <para>For UDP services, it makes servers bound to all addresses answer from the tunnel address. Such a
/// server replies with <c>sendto</c> and no source address, so the kernel picks the source from the route to the
/// client (the site's default route, its public address): the reply would miss the tunnel and the hub's
/// conntrack. TCP has no such problem (an accepted socket answers from the address it was reached on).</para>
/// <list type="bullet">
/// <item>prerouting: a datagram arriving through a tunnel for the tunnel address and a served UDP port records
/// client address . client port . service port in a set (timeout <see cref="UdpClientTimeout"/>, refreshed by
/// every datagram; the hubs' own probes are left out, their replies already route into the tunnel).</item>
/// <item>udp_replies (type route, priority raw, before conntrack): a datagram from the service port to a recorded
/// client that leaves with another source gets the tunnel address as its source; the kernel routes it again, so
/// the source rule (one hub) sends it into the tunnel. Conntrack then sees the reply of the client's own flow,
/// so in a pair the connection's mark picks the tunnel it arrived through, as for every other reply.</item>
/// </list>
/// <para>A router site (a service's backend on its LAN) also gets the chains of <see cref="SiteRouterRules"/>, and
/// its connections are marked as in a pair even with one hub: its LAN servers' replies are found by the mark.</para>
/// <para>Every write keeps the bits outside <see cref="SiteNetworkReconciler.ReturnPath.MarkMask"/>. The table comment
/// carries a fingerprint of the rules, so a pass compares one string and rebuilds only when something differs.</para>
/// </remarks>
internal static class SiteReturnPathTable
{
    public const string Family = "inet";
    public const string Name = "keepwire_site";
    public const string CommentPrefix = "keepwire site return path ";

    /// <summary>How long a UDP client is remembered after its last datagram: conntrack's timeout of a UDP stream.</summary>
    public static readonly TimeSpan UdpClientTimeout = TimeSpan.FromMinutes(2);

    /// <summary>At most this many UDP clients (address and port) per family are remembered at once (about 10 MB).</summary>
    public const int MaxUdpClients = 65536;

    /// <summary>The table's comment for this spec: what the kernel's table carries when it is up to date.</summary>
    public static string Comment(SiteReturnPathSpec spec) => CommentPrefix + Fingerprint(Body(spec));

    /// <summary>Replaces the table in one transaction: <c>add</c> makes the <c>delete</c> valid when it is absent.</summary>
    public static string ApplyScript(SiteReturnPathSpec spec)
    {
        var body = Body(spec);
        return $"add table {Family} {Name}\ndelete table {Family} {Name}\n"
            + $"table {Family} {Name} {{\n\tcomment \"{CommentPrefix}{Fingerprint(body)}\"\n{body}}}\n";
    }

    public static string DeleteScript => $"add table {Family} {Name}\ndelete table {Family} {Name}\n";

    /// <summary>The sets and chains, everything the fingerprint covers.</summary>
    public static string Body(SiteReturnPathSpec spec)
    {
        var text = new StringBuilder();
        var udp = UdpFamilies(spec).ToList();
        foreach (var family in udp)
        {
            text.Append(CultureInfo.InvariantCulture, $"\tset {family.Set} {{\n\t\ttype {family.AddressType} . inet_service . inet_service\n\t\tsize {MaxUdpClients}\n");
            text.Append(CultureInfo.InvariantCulture, $"\t\tflags dynamic,timeout\n\t\ttimeout {(int)UdpClientTimeout.TotalSeconds}s\n\t}}\n");
        }

        var marked = spec.MarkedTunnels;
        if (marked.Count > 0 || udp.Count > 0)
        {
            var tunnelSet = InterfaceSet(spec.Interfaces);
            text.Append("\tchain prerouting {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n");
            foreach (var (name, mark) in marked)
                text.Append(CultureInfo.InvariantCulture, $"\t\tiifname {Quote(name)} ct mark set ct mark & {Hex(~mark.Mask)} | {Hex(mark.Value)}\n");
            foreach (var (_, mark) in marked)
                text.Append(CultureInfo.InvariantCulture, $"\t\tiifname != {tunnelSet} {CopyToPacket(mark)}\n");
            foreach (var family in udp)
            {
                var hubs = family.HubAddresses.Count == 0 ? "" : $"{family.Ip} saddr != {AddressSet(family.HubAddresses)} ";
                text.Append(CultureInfo.InvariantCulture, $"\t\tiifname {tunnelSet} {family.Ip} daddr {family.Tunnel} {hubs}udp dport {PortSet(spec.UdpPorts)} ");
                text.Append(CultureInfo.InvariantCulture, $"update @{family.Set} {{ {family.Ip} saddr . udp sport . udp dport }}\n");
            }
            text.Append("\t}\n");
        }

        if (marked.Count > 0)
        {
            text.Append("\tchain output {\n\t\ttype route hook output priority mangle; policy accept;\n");
            foreach (var (_, mark) in marked)
                text.Append(CultureInfo.InvariantCulture, $"\t\t{CopyToPacket(mark)}\n");
            text.Append("\t}\n");
        }

        if (udp.Count > 0)
        {
            text.Append("\tchain udp_replies {\n\t\ttype route hook output priority raw; policy accept;\n");
            foreach (var family in udp)
                text.Append(CultureInfo.InvariantCulture, $"\t\t{family.Ip} saddr != {family.Tunnel} {family.Ip} daddr . udp dport . udp sport @{family.Set} {family.Ip} saddr set {family.Tunnel}\n");
            text.Append("\t}\n");
        }

        text.Append(SiteRouterRules.Chains(spec.Forwards, spec.Interfaces));
        return text.ToString();
    }

    /// <summary>One rule per tunnel: nft cannot OR a packet's mark with a value read from conntrack, only with a constant.</summary>
    private static string CopyToPacket(FirewallMark mark) =>
        $"ct mark & {Hex(mark.Mask)} == {Hex(mark.Value)} meta mark set meta mark & {Hex(~mark.Mask)} | {Hex(mark.Value)}";

    /// <summary>The families the site answers UDP clients in: those it has a tunnel address of, when it serves UDP at all.</summary>
    private static IEnumerable<UdpFamily> UdpFamilies(SiteReturnPathSpec spec)
    {
        if (spec.UdpPorts.Count == 0)
            yield break;
        foreach (var address in spec.Tunnel.All)
        {
            var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            var hubs = spec.HubAddresses.Where(hub => hub.AddressFamily == address.AddressFamily).ToList();
            yield return new UdpFamily(v6 ? "ip6" : "ip", v6 ? "ipv6_addr" : "ipv4_addr", v6 ? "udp_clients6" : "udp_clients4", address, hubs);
        }
    }

    private static string PortSet(IReadOnlyList<(int First, int Last)> ports) =>
        "{ " + string.Join(", ", ports.Select(p => p.First == p.Last ? p.First.ToString(CultureInfo.InvariantCulture) : $"{p.First}-{p.Last}")) + " }";

    private static string AddressSet(IReadOnlyList<IPAddress> addresses) => "{ " + string.Join(", ", addresses) + " }";

    private static string InterfaceSet(IEnumerable<string> interfaces) => "{ " + string.Join(", ", interfaces.Select(Quote)) + " }";

    private static string Hex(uint value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:x8}");

    private static string Quote(string interfaceName) => $"\"{interfaceName}\"";

    private static string Fingerprint(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..16];

    /// <param name="Ip">nft's protocol keyword (<c>ip</c>, <c>ip6</c>).</param>
    /// <param name="Tunnel">The site's tunnel address in this family: the source replies must have.</param>
    /// <param name="HubAddresses">The hubs' tunnel addresses in this family: their probes are not clients.</param>
    private sealed record UdpFamily(string Ip, string AddressType, string Set, IPAddress Tunnel, IReadOnlyList<IPAddress> HubAddresses);
}
