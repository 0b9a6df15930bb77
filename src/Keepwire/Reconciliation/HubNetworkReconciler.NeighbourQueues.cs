using System.Globalization;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Model;

namespace Keepwire.Reconciliation;

public sealed partial class HubNetworkReconciler
{
    /// <summary>
    /// Keeps a site whose endpoint the hub cannot reach from stalling the hub's tunnels to every other site.
    /// </summary>
    /// <remarks>
    /// <para>
    /// wireguard-go (the userspace WireGuard Debian 12 ships, 0.0.20220316) sends every peer's packets through one
    /// blocking UDP socket per address family. When a site's NAT stops translating, its packets reach the hub from
    /// a private address and WireGuard roams the peer's endpoint there. If the hub's route to that address leads to
    /// a next hop that never answers ARP/ND (an on-link route, a dead gateway), every packet for the site waits in
    /// the neighbour's unresolved queue, and the kernel charges it to that shared socket's send buffer. The queue
    /// may hold <c>unres_qlen_bytes</c> (default 212992) and the socket's buffer is <c>wmem_default</c> (also
    /// 212992): the hub's probes of the stranded site fill both in seconds, and then <c>sendmsg</c> blocks for
    /// every peer until the kernel gives up resolving (3 solicitations, 1 s apart) and frees the queue; writers are
    /// woken only once the buffer is half empty. The next probes fill it again. Meanwhile the blocked sender holds
    /// its peer's lock, so <c>wg show</c> waits too, and with it the hub's loop and <c>keepwire status</c>.
    /// </para>
    /// <para>
    /// Capping the unresolved queue on the interfaces the hub's WireGuard packets leave by bounds what one
    /// unreachable next hop can hold of the socket's buffer to a few packets, so sends to every other site never
    /// wait. Only packets to a neighbour that is still being resolved are affected: the kernel always keeps the
    /// newest, and a neighbour that answers gets them as before (the kernel's own limit was 3 packets until 2011).
    /// </para>
    /// </remarks>
    internal static class NeighbourQueues
    {
        /// <summary>
        /// At most this many bytes (skb truesize, about 2.3 KiB for a full-size packet) wait per unresolved neighbour:
        /// some 25 unreachable next hops at once before a 212992-byte socket buffer could fill.
        /// </summary>
        public const int MaxUnresolvedQueueBytes = 8192;

        /// <summary>
        /// The interfaces WireGuard's packets to the sites leave by: the public interface and those of the default
        /// routes (sites dial from the internet, and an address the hub has no better route for, such as a site's
        /// untranslated private one, goes the default way).
        /// </summary>
        public static IReadOnlyList<string> Devices(string? publicInterface, IEnumerable<RouteEntry> mainRoutes) =>
            [.. new[] { publicInterface }
                .Concat(mainRoutes.Where(route => route.Destination.PrefixLength == 0).Select(route => route.Device))
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)];

        /// <summary>Whether the current setting lets a neighbour hold more than the cap; an operator's lower value stays.</summary>
        public static bool NeedsCap(string? current) =>
            current is not null
            && int.TryParse(current, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes)
            && bytes > MaxUnresolvedQueueBytes;
    }

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];

    /// <summary>The interfaces to cap, from the main table's default routes (read with the routing, not every pass).</summary>
    private async Task<IReadOnlyList<string>> NeighbourQueueDevicesAsync(HubNode hub, CancellationToken cancellationToken)
    {
        var routes = new List<RouteEntry>();
        foreach (var family in Families)
            routes.AddRange(await routing.GetRoutesAsync(RoutingTables.Main, family, cancellationToken));
        return NeighbourQueues.Devices(hub.PublicInterface, routes);
    }

    private async Task<bool> EnsureNeighbourQueuesAsync(IReadOnlyList<string> devices, CancellationToken cancellationToken)
    {
        var cap = NeighbourQueues.MaxUnresolvedQueueBytes.ToString(CultureInfo.InvariantCulture);
        var changed = false;
        foreach (var device in devices)
        {
            foreach (var family in Families)
            {
                // Null when the key does not exist: the interface is gone, or IPv6 is off on it.
                var key = SysctlKeys.UnresolvedQueueBytes(device, family);
                if (!NeighbourQueues.NeedsCap(await sysctl.ReadAsync(key, cancellationToken)))
                    continue;
                await sysctl.WriteAsync(key, cap, cancellationToken);
                Log.SysctlSet(logger, key, cap);
                changed = true;
            }
        }
        return changed;
    }
}
