using System.Net.Sockets;
using System.Text;
using Keepwire.Adapters.Nftables;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// The hub's filter for routed services, as rules of the table's structure rather than set elements: they change
/// only with the config (a reload rebuilds the table in one transaction), never on a switch, which moves the
/// prefix between WireGuard peers instead. Rendered from the config part of <see cref="RoutedPrefix"/> only, so
/// the fingerprint stays the same across switches.
/// </summary>
internal static class NftRoutedRules
{
    /// <summary>
    /// Rules of <c>into_tunnel</c>: new traffic to a routed prefix passes when the operator allows it (<c>all</c>, or
    /// its protocol and port), and ICMP always (echo, and errors such as "packet too big" that path MTU discovery needs).
    /// </summary>
    public static string IntoTunnel(IReadOnlyList<RoutedPrefix> routed)
    {
        var text = new StringBuilder();
        foreach (var prefix in Distinct(routed))
        {
            var (family, icmp) = Family(prefix);
            var destination = $"{family} daddr {NftText.Prefix(prefix.Prefix)}";
            if (prefix.AllowsAllPorts)
            {
                text.Append($"\t\t{destination} counter accept comment \"routed service {prefix.Service}: all\"\n");
                continue;
            }
            text.Append($"\t\t{destination} meta l4proto {icmp} accept\n");
            foreach (var (protocol, ports) in PortsByProtocol(prefix))
                text.Append($"\t\t{destination} {protocol} dport {ports} accept comment \"routed service {prefix.Service}\"\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// Rules of <c>from_tunnel</c>, before replies are accepted: a site whose allowed TCP port refuses a SYN (RST, seq 0),
    /// or whose allowed UDP port answers port unreachable, is logged to the hub as passive evidence and dropped like a
    /// DNATed one, so the client retransmits and meets the site the hub fails over to. Not with <c>all</c>: there a
    /// refusal is the normal answer of a closed port.
    /// </summary>
    public static string FromTunnel(IReadOnlyList<RoutedPrefix> routed)
    {
        var text = new StringBuilder();
        foreach (var prefix in Distinct(routed).Where(p => !p.AllowsAllPorts))
        {
            var (family, icmp) = Family(prefix);
            var source = $"{family} saddr {NftText.Prefix(prefix.Prefix)}";
            var log = family == "ip6" ? NftRulesetRenderer.LogRefusal6 : NftRulesetRenderer.LogRefusal4;
            foreach (var (protocol, ports) in PortsByProtocol(prefix))
            {
                var refusal = protocol == "tcp"
                    ? $"{source} tcp sport {ports} tcp flags & (rst | ack) == rst | ack tcp sequence 0"
                    : $"{source} {IcmpName(icmp)} type destination-unreachable {IcmpName(icmp)} code port-unreachable";
                text.Append($"\t\t{refusal} {log}\n");
                text.Append($"\t\t{refusal} counter drop comment \"refusal of a {(protocol == "tcp" ? "SYN" : "datagram")} to routed service {prefix.Service}: let the client retry\"\n");
            }
        }
        return text.ToString();
    }

    /// <summary>nft's name of the ICMP header in a rule: <c>icmp</c> or <c>icmpv6</c> (its protocol is <c>ipv6-icmp</c>).</summary>
    private static string IcmpName(string protocol) => protocol == "ipv6-icmp" ? "icmpv6" : "icmp";

    /// <summary>Once per prefix, in a stable order; the serving site is left out on purpose (it is not the table's business).</summary>
    private static IEnumerable<RoutedPrefix> Distinct(IReadOnlyList<RoutedPrefix> routed) =>
        routed.DistinctBy(p => p.Prefix).OrderBy(p => p.Service, StringComparer.Ordinal).ThenBy(p => p.Prefix.ToString(), StringComparer.Ordinal);

    private static (string Family, string Icmp) Family(RoutedPrefix prefix) =>
        prefix.Prefix.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? ("ip6", "ipv6-icmp") : ("ip", "icmp");

    private static IEnumerable<(string Protocol, string Ports)> PortsByProtocol(RoutedPrefix prefix) =>
        prefix.Ports
            .GroupBy(port => port.Protocol)
            .OrderBy(group => group.Key)
            .Select(group => (group.Key == TransportProtocol.Tcp ? "tcp" : "udp", PortRanges.NftSet(group.Select(port => (port.First, port.Last)))));
}
