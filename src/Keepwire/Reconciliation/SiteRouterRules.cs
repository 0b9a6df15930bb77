using System.Text;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

/// <summary>
/// The chains of a router site in its table <see cref="SiteReturnPathTable"/>: the LAN servers behind it
/// (<see cref="LanForward"/>). Pure text, covered by the table's fingerprint.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>lan_forward (nat, prerouting): a connection arriving through a tunnel for the site's tunnel address and a
/// forwarded port is DNATed to the LAN server, port unchanged. The hub's checks arrive the same way, so they test the
/// LAN server through the router: a dead server fails its site over like a dead site.</item>
/// <item>The client's address stays the source: the server sees it, and its reply must come back through the router
/// (its default route, or a route to the internet through the router). The return path's connection mark, set on
/// every connection arriving through a tunnel and copied onto the replies that arrive from any other interface,
/// then sends the reply into the tunnel it came from, not out of the router's own uplink.</item>
/// <item>lan_masquerade (nat, postrouting): only for backends with <c>masquerade: true</c>, for LANs whose servers
/// do not route back through the router: the router's LAN address becomes the source, so the reply comes back to
/// it whatever the server's routes, at the price of the client's address.</item>
/// </list>
/// </remarks>
internal static class SiteRouterRules
{
    public static string Chains(IReadOnlyList<LanForward> forwards, IReadOnlyList<string> interfaces)
    {
        var text = new StringBuilder();
        if (forwards.Count == 0)
            return "";
        var tunnels = "{ " + string.Join(", ", interfaces.Select(name => $"\"{name}\"")) + " }";
        text.Append("\tchain lan_forward {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
        foreach (var forward in forwards)
            text.Append($"\t\tiifname {tunnels} {Ip(forward)} daddr {forward.Tunnel} {Match(forward)} dnat {Ip(forward)} to {forward.Backend}\n");
        text.Append("\t}\n");

        var masquerade = forwards.Where(f => f.Masquerade).ToList();
        if (masquerade.Count == 0)
            return text.ToString();
        text.Append("\tchain lan_masquerade {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        foreach (var forward in masquerade)
            text.Append($"\t\tct original {Ip(forward)} daddr {forward.Tunnel} {Ip(forward)} daddr {forward.Backend} {Match(forward)} masquerade\n");
        text.Append("\t}\n");
        return text.ToString();
    }

    private static string Ip(LanForward forward) => forward.IsIPv6 ? "ip6" : "ip";

    private static string Match(LanForward forward) =>
        $"{(forward.Protocol == TransportProtocol.Tcp ? "tcp" : "udp")} dport {PortRanges.NftSet(forward.Ports)}";
}
