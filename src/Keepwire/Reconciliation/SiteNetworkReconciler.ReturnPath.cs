using Keepwire.Adapters.Routing;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

public sealed partial class SiteNetworkReconciler
{
    /// <summary>
    /// The site's return path: replies to connections that came through a tunnel go back into that tunnel,
    /// whatever their destination, while everything else keeps using the main table and its default route.
    /// <list type="bullet">
    /// <item>One hub: rules <c>from &lt;tunnel address&gt; lookup T priority 5182</c>, one per family; 5182 sits well before
    /// <c>main</c> (32766) and after <c>local</c> (0), so local destinations still work.</item>
    /// <item>A pair: the site has the same address on both tunnels, so the source address cannot choose. The
    /// table <c>inet keepwire_site</c> marks each connection with the interface it arrived on and copies that
    /// mark onto its replies; rules <c>fwmark M lookup T priority 5182</c> pick the tunnel.</item>
    /// <item>Table T holds only <c>default dev &lt;wg interface&gt;</c> for each family.</item>
    /// <item>T = 51820 + (FNV-1a hash of the interface name mod 1000): stable across restarts and hosts without
    /// any state file, and distinct per interface when a site has one per hub (a collision is 1 in 1000 and
    /// would show as routes of two interfaces in one table).</item>
    /// </list>
    /// </summary>
    internal static class ReturnPath
    {
        public const int RulePriority = 5182;
        public const int FirstTable = 51820;
        public const int TableCount = 1000;

        /// <summary>
        /// The mark bits Keepwire uses, a nibble other common users of marks leave alone (kube-proxy uses
        /// 0x4000/0x8000, Tailscale 0xff0000, wg-quick 0xca6c). Every write is masked, so other bits survive.
        /// </summary>
        public const uint MarkMask = 0x0f000000;

        /// <summary>
        /// rp_filter 2 (loose): strict mode would drop clients' packets arriving through the tunnel, since
        /// their source addresses route through the site's default route, not the tunnel.
        /// </summary>
        public const string LooseReversePathFilter = "2";

        public static int TableFor(string interfaceName)
        {
            var hash = 2166136261u;
            foreach (var c in interfaceName)
                hash = (hash ^ c) * 16777619u;
            return FirstTable + (int)(hash % TableCount);
        }

        /// <summary>The mark of connections that arrived from the hub at <paramref name="hubIndex"/> in the config: 1, 2, … in the nibble.</summary>
        public static FirewallMark MarkFor(int hubIndex) => new((uint)(hubIndex + 1) << 24, MarkMask);

        public static IReadOnlyList<PolicyRule> Rules(TunnelAddresses tunnel, string interfaceName) =>
            [.. tunnel.All.Select(address => PolicyRule.FromAddress(address, TableFor(interfaceName), RulePriority))];

        /// <summary><c>from &lt;routed prefix&gt; lookup T</c>: replies from a routed service's public address go back into the tunnel.</summary>
        public static IReadOnlyList<PolicyRule> RoutedRules(IReadOnlyList<System.Net.IPNetwork> prefixes, string interfaceName) =>
            [.. prefixes.Select(prefix => new PolicyRule(RulePriority, prefix, TableFor(interfaceName).ToString(), prefix.BaseAddress.AddressFamily))];

        public static IReadOnlyList<RouteEntry> Routes(TunnelAddresses tunnel, string interfaceName) =>
            [.. tunnel.All.Select(address => RouteEntry.DefaultVia(interfaceName, address.AddressFamily))];
    }
}
