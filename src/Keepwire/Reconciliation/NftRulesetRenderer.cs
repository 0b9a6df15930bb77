using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using static Keepwire.Reconciliation.NftForwardingTable;

namespace Keepwire.Reconciliation;

/// <summary>
/// Renders a <see cref="HubDataPlane"/> as the nft text of the <c>inet keepwire</c> table.
/// Kube-proxy style: the chains and rules are static and depend only on the tunnel interface;
/// everything a failover changes lives in map and set elements, so a failover is an element update
/// and the table comment's fingerprint of the static part tells "sync elements" from "rebuild".
/// </summary>
public static partial class NftRulesetRenderer
{
    public static NftRuleset Render(HubDataPlane plane)
    {
        if (!InterfaceName().IsMatch(plane.TunnelInterface))
            throw new ArgumentException($"'{plane.TunnelInterface}' is not a usable interface name (1-15 of A-Z a-z 0-9 _ . -)", nameof(plane));

        var elements = NftRulesetElements.From(plane);
        var structure = Structure(plane.TunnelInterface);
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
    private static string Structure(string tunnel) => $$"""
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
        		counter drop comment "new traffic into the tunnel that is not a forwarded service port"
        	}
        	# A site whose service just died refuses new connections: a RST answering the SYN (seq 0),
        	# or ICMP port unreachable for UDP. Passed on, the client gives up at once. Dropped, the
        	# client retransmits (TCP: 1 s later), by then the hub has failed over and deleted the flow's
        	# conntrack entry, and the retransmission reaches a healthy site: no failed connection.
        	# Only replies of forwarded (DNATed) flows are touched.
        	chain from_tunnel {
        		ct status dnat tcp flags & (rst | ack) == rst | ack tcp sequence 0 counter drop comment "refusal of a forwarded SYN: let the client retry"
        		ct status dnat icmp type destination-unreachable icmp code port-unreachable counter drop comment "refusal of a forwarded datagram"
        		ct status dnat icmpv6 type destination-unreachable icmpv6 code port-unreachable counter drop comment "refusal of a forwarded datagram"
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

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,15}$")]
    private static partial Regex InterfaceName();
}
