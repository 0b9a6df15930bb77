using Keepwire.Adapters.Routing;
using Keepwire.Configuration;

namespace Keepwire.Reconciliation;

public sealed partial class SiteNetworkReconciler
{
    /// <summary>
    /// The site's return path: replies from the site's tunnel address go back into the tunnel, whatever
    /// their destination, while everything else keeps using the main table and its default route.
    /// <list type="bullet">
    /// <item>Rules <c>from &lt;tunnel address&gt; lookup T priority 5182</c>, one per family; 5182 sits well before
    /// <c>main</c> (32766) and after <c>local</c> (0), so local destinations still work.</item>
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

        public static IReadOnlyList<PolicyRule> Rules(SiteNode site) =>
            [.. site.Tunnel.All.Select(address => PolicyRule.FromAddress(address, TableFor(site.Interface), RulePriority))];

        public static IReadOnlyList<RouteEntry> Routes(SiteNode site) =>
            [.. site.Tunnel.All.Select(address => RouteEntry.DefaultVia(site.Interface, address.AddressFamily))];
    }
}
