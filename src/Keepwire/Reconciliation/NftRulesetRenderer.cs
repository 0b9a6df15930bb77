using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using static Keepwire.Reconciliation.NftForwardingTable;

namespace Keepwire.Reconciliation;

/// <summary>
/// Renders a <see cref="HubDataPlane"/> as the nft text of the <c>inet keepwire</c> table.
/// Kube-proxy style: the chains and rules are static and depend only on the tunnel interface and the
/// hub's own ports (<see cref="HubInputPolicy"/>); everything a failover changes lives in map and set
/// elements, so a failover is an element update and the table comment's fingerprint of the static part
/// tells "sync elements" from "rebuild".
/// The table also guards the tunnel in both directions: a site only ever answers (nothing new from the
/// tunnel is forwarded: no site uses the hub as a router to the internet, to another site or to the hub's
/// other networks), and reaches nothing on the hub itself but the report and sync ports and ICMP. The
/// public interface is left alone apart from those two ports: the operator's firewall owns it.
/// </summary>
public static partial class NftRulesetRenderer
{
    public static NftRuleset Render(HubDataPlane plane)
    {
        if (!InterfaceName().IsMatch(plane.TunnelInterface))
            throw new ArgumentException($"'{plane.TunnelInterface}' is not a usable interface name (1-15 of A-Z a-z 0-9 _ . -)", nameof(plane));

        var elements = NftRulesetElements.From(plane);
        var structure = Structure(plane.TunnelInterface, plane.Input ?? HubInputPolicy.SingleHub, plane.Routed);
        var fingerprint = Fingerprint(structure);
        var comment = CommentPrefix + fingerprint;

        var definition = new StringBuilder();
        definition.Append(CultureInfo.InvariantCulture, $"table {Family} {Name} {{\n\tcomment \"{comment}\"\n");
        definition.Append(structure);
        definition.Append("}\n");
        foreach (var name in SetNames)
        {
            if (elements[name].Count == 0)
                continue;
            var sorted = elements[name].Select(e => e.ToString()).Order(StringComparer.Ordinal);
            definition.Append(CultureInfo.InvariantCulture, $"add element {Family} {Name} {name} {{ {string.Join(", ", sorted)} }}\n");
        }

        return new NftRuleset(fingerprint, comment, definition.ToString(), elements);
    }

    private static string Fingerprint(string structure) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(structure)))[..16];

    /// <summary>The body of the table block, without the comment: everything the fingerprint covers.</summary>
    private static string Structure(string tunnel, HubInputPolicy input, IReadOnlyList<RoutedPrefix> routed) => $$"""
        	map {{Forward4}} {
        		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
        	}
        	map {{Forward4Ranges}} {
        		type ipv4_addr . inet_proto . inet_service : ipv4_addr
        		flags interval
        	}
        	map {{Forward6}} {
        		type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
        	}
        	map {{Forward6Ranges}} {
        		type ipv6_addr . inet_proto . inet_service : ipv6_addr
        		flags interval
        	}
        	set {{Snat4}} {
        		type ipv4_addr
        	}
        	set {{Snat6}} {
        		type ipv6_addr
        	}
        	set {{AllowForward4}} {
        		type ipv4_addr
        		flags interval
        	}
        	set {{AllowForward6}} {
        		type ipv6_addr
        		flags interval
        	}
        	# Filled by the kernel: the sites whose refusals are logged, each at most {{RefusalLogRate}}/second.
        	set {{Refusers4}} {
        		type ipv4_addr
        		size 4096
        		flags dynamic,timeout
        		timeout 10s
        	}
        	set {{Refusers6}} {
        		type ipv6_addr
        		size 4096
        		flags dynamic,timeout
        		timeout 10s
        	}
        	chain prerouting {
        		type nat hook prerouting priority dstnat; policy accept;
        {{DnatRules}}
        	}
        	# The hub reaching a VIP itself (an operator's curl, a local proxy) gets the same service as
        	# everyone else instead of the hub's own empty ports. (nft names "dstnat" for prerouting only: -100 is its value.)
        	chain output {
        		type nat hook output priority -100; policy accept;
        {{DnatRules}}
        	}
        	# Policy accept: only traffic into the tunnel is Keepwire's business.
        	chain forward {
        		type filter hook forward priority filter; policy accept;
        		oifname "{{tunnel}}" jump into_tunnel
        		iifname "{{tunnel}}" jump from_tunnel
        	}
        	chain into_tunnel {
        		ct state established,related accept
        		ct status dnat accept
        		ip saddr @{{AllowForward4}} accept
        		ip6 saddr @{{AllowForward6}} accept
        {{NftRoutedRules.IntoTunnel(routed)}}		counter drop comment "new traffic into the tunnel that is not a forwarded service port"
        	}
        	# A site whose service just died refuses new connections: a RST answering the SYN (seq 0),
        	# or ICMP port unreachable for UDP. Passed on, the client gives up at once. Dropped, the
        	# client retransmits (TCP: 1 s later), by then the hub has failed over and deleted the flow's
        	# conntrack entry, and the retransmission reaches a healthy site: no failed connection.
        	# Only replies of forwarded (DNATed) flows are touched. Each refusal is also logged to the hub
        	# (NFLOG group {{RefusalLogGroup}}, a limited number per site): passive evidence against the site.
        	# Then a site may only answer: replies of forwarded flows pass, anything new it starts through the hub
        	# (towards the internet, another site, the hub's other networks) is dropped.
        	chain from_tunnel {
        		ct status dnat tcp flags & (rst | ack) == rst | ack tcp sequence 0 {{LogRefusal4}}
        		ct status dnat tcp flags & (rst | ack) == rst | ack tcp sequence 0 {{LogRefusal6}}
        		ct status dnat tcp flags & (rst | ack) == rst | ack tcp sequence 0 counter drop comment "refusal of a forwarded SYN: let the client retry"
        		ct status dnat icmp type destination-unreachable icmp code port-unreachable {{LogRefusal4}}
        		ct status dnat icmp type destination-unreachable icmp code port-unreachable counter drop comment "refusal of a forwarded datagram"
        		ct status dnat icmpv6 type destination-unreachable icmpv6 code port-unreachable {{LogRefusal6}}
        		ct status dnat icmpv6 type destination-unreachable icmpv6 code port-unreachable counter drop comment "refusal of a forwarded datagram"
        {{NftRoutedRules.FromTunnel(routed)}}		ct state established,related accept
        		counter drop comment "a site only answers: nothing new from the tunnel is forwarded"
        	}
        	# The hub itself. Policy accept: the public interface is the operator's (SSH, other services); only
        	# Keepwire's own ports are fenced there. Through the tunnel a site reaches the report and sync ports,
        	# ICMP, and the answers to the hub's own probes; nothing else.
        	chain input {
        		type filter hook input priority filter; policy accept;
        		iifname "{{tunnel}}" jump input_from_tunnel
        		udp dport {{input.ReportPort}} counter drop comment "site reports come only through the tunnel"
        {{SyncInputRules(input)}}	}
        	chain input_from_tunnel {
        		ct state established,related accept
        		udp dport {{input.ReportPort}} accept
        {{SyncThroughTunnelRule(input)}}		meta l4proto { icmp, ipv6-icmp } accept
        		counter drop comment "a site reaches nothing else on the hub"
        	}
        	chain postrouting {
        		type nat hook postrouting priority srcnat; policy accept;
        		oifname "{{tunnel}}" ip daddr @{{Snat4}} masquerade
        		oifname "{{tunnel}}" ip6 daddr @{{Snat6}} masquerade
        	}

        """;

    // Single ports and ranges live in separate maps because only an interval map can hold a range,
    // and only a map whose value carries a port can remap one (nft 1.0.6 accepts both, concatenated).
    // A packet is looked up in the single-port map first; when no element matches, the rule does not
    // match and the range map is tried.
    private static readonly string DnatRules = $"""
        		dnat ip to ip daddr . meta l4proto . th dport map @{Forward4}
        		dnat ip to ip daddr . meta l4proto . th dport map @{Forward4Ranges}
        		dnat ip6 to ip6 daddr . meta l4proto . th dport map @{Forward6}
        		dnat ip6 to ip6 daddr . meta l4proto . th dport map @{Forward6Ranges}
        """;

    /// <summary>Refusals logged per site and second at most (a burst of 5 first): evidence enough, never a flood.</summary>
    private const int RefusalLogRate = 20;

    /// <summary>Logs a refusal to the hub (NFLOG), at most <see cref="RefusalLogRate"/> a second per refusing address; also for routed services (<see cref="NftRoutedRules"/>).</summary>
    internal static readonly string LogRefusal4 = $"update @{Refusers4} {{ ip saddr limit rate {RefusalLogRate}/second burst 5 packets }} log group {RefusalLogGroup}";
    internal static readonly string LogRefusal6 = $"update @{Refusers6} {{ ip6 saddr limit rate {RefusalLogRate}/second burst 5 packets }} log group {RefusalLogGroup}";

    /// <summary>In a pair: the sites relay hub sync through the tunnel.</summary>
    private static string SyncThroughTunnelRule(HubInputPolicy input) =>
        input.SyncPort is { } port ? $"\t\tudp dport {port} accept\n" : "";

    /// <summary>In a pair: the sync port directly only from the peer's pair address (through the tunnel it came by input_from_tunnel).</summary>
    private static string SyncInputRules(HubInputPolicy input)
    {
        if (input.SyncPort is not { } port || input.PeerPairAddress is not { } peer)
            return "";
        var family = peer.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ip6" : "ip";
        return $"\t\tudp dport {port} {family} saddr {peer} accept\n"
            + $"\t\tudp dport {port} counter drop comment \"hub sync comes only from the peer's pair address or through the tunnel\"\n";
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceName();
}
