using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Keepwire.Adapters.Routing;

namespace Keepwire.Reconciliation;

/// <summary>
/// The nftables table a site in a hub pair owns, <c>inet keepwire_site</c>: it records on each connection the
/// tunnel it last arrived through, and puts that record on the connection's replies, where the policy rules
/// of <see cref="SiteNetworkReconciler.ReturnPath"/> read it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>prerouting: every packet arriving through a tunnel sets the connection's mark, so after a hub
/// failover the hub that now carries the connection also gets its replies.</item>
/// <item>output (type route, so the kernel routes again after the mark changes): locally generated replies
/// take the connection's mark.</item>
/// <item>prerouting, from any other interface: replies forwarded by the site (containers, VMs behind it) take
/// the connection's mark before the routing decision.</item>
/// </list>
/// Every write keeps the bits outside <see cref="SiteNetworkReconciler.ReturnPath.MarkMask"/>. The table comment
/// carries a fingerprint of the rules, so a pass compares one string and rebuilds only when something differs.
/// </remarks>
internal static class SiteReturnMarkTable
{
    public const string Family = "inet";
    public const string Name = "keepwire_site";
    public const string CommentPrefix = "keepwire site return path ";

    /// <summary>The table's comment for these tunnels: what the kernel's table carries when it is up to date.</summary>
    public static string Comment(IReadOnlyList<(string Interface, FirewallMark Mark)> tunnels) => CommentPrefix + Fingerprint(Body(tunnels));

    /// <summary>Replaces the table in one transaction: <c>add</c> makes the <c>delete</c> valid when it is absent.</summary>
    public static string ApplyScript(IReadOnlyList<(string Interface, FirewallMark Mark)> tunnels)
    {
        var body = Body(tunnels);
        return $"add table {Family} {Name}\ndelete table {Family} {Name}\n"
            + $"table {Family} {Name} {{\n\tcomment \"{CommentPrefix}{Fingerprint(body)}\"\n{body}}}\n";
    }

    public static string DeleteScript => $"add table {Family} {Name}\ndelete table {Family} {Name}\n";

    /// <summary>The chains, everything the fingerprint covers.</summary>
    public static string Body(IReadOnlyList<(string Interface, FirewallMark Mark)> tunnels)
    {
        var text = new StringBuilder();
        var tunnelSet = "{ " + string.Join(", ", tunnels.Select(t => Quote(t.Interface))) + " }";
        text.Append("\tchain prerouting {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n");
        foreach (var (name, mark) in tunnels)
            text.Append(CultureInfo.InvariantCulture, $"\t\tiifname {Quote(name)} ct mark set ct mark & {Hex(~mark.Mask)} | {Hex(mark.Value)}\n");
        foreach (var (_, mark) in tunnels)
            text.Append(CultureInfo.InvariantCulture, $"\t\tiifname != {tunnelSet} {CopyToPacket(mark)}\n");
        text.Append("\t}\n\tchain output {\n\t\ttype route hook output priority mangle; policy accept;\n");
        foreach (var (_, mark) in tunnels)
            text.Append(CultureInfo.InvariantCulture, $"\t\t{CopyToPacket(mark)}\n");
        text.Append("\t}\n");
        return text.ToString();
    }

    /// <summary>One rule per tunnel: nft cannot OR a packet's mark with a value read from conntrack, only with a constant.</summary>
    private static string CopyToPacket(FirewallMark mark) =>
        $"ct mark & {Hex(mark.Mask)} == {Hex(mark.Value)} meta mark set meta mark & {Hex(~mark.Mask)} | {Hex(mark.Value)}";

    private static string Hex(uint value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:x8}");

    private static string Quote(string interfaceName) => $"\"{interfaceName}\"";

    private static string Fingerprint(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..16];
}
