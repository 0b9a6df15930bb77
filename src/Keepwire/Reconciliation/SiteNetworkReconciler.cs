using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reconciliation;

/// <summary>
/// Makes a site's network match the config for one hub: the WireGuard interface (recreated if it died)
/// with the hub as its only peer, the tunnel addresses, and the return path that sends replies from the
/// site's tunnel address back into the tunnel (so client addresses survive) without touching the site's
/// main routing table or default route. Level-triggered and idempotent, like <see cref="HubNetworkReconciler"/>.
/// </summary>
public sealed partial class SiteNetworkReconciler(
    IWireGuard wireGuard,
    IRouting routing,
    ISysctl sysctl,
    IHostResolver resolver,
    TimeProvider time,
    ILogger<SiteNetworkReconciler> logger)
{
    /// <summary>
    /// When this reconciler last set each interface's endpoint. Instance state (one reconciler per site
    /// daemon): it only paces retries, so losing it on restart costs at most one early retry.
    /// </summary>
    private readonly Dictionary<string, DateTimeOffset> _endpointSetAt = [];

    /// <summary>Runs one pass; returns whether anything had to change.</summary>
    public async Task<bool> ReconcileAsync(ClusterConfig config, SiteNode site, HubNode hub, CancellationToken cancellationToken = default)
    {
        var changed = await wireGuard.EnsureInterfaceAsync(site.Interface, cancellationToken);
        var current = (await wireGuard.ReadAsync(site.Interface, cancellationToken))?.FindPeer(hub.PublicKey);

        var decision = EndpointChoice.Decide(
            await ReachableAddressesAsync(hub.Endpoint.Host, cancellationToken),
            hub.Endpoint.Port,
            current,
            time.GetUtcNow(),
            _endpointSetAt.TryGetValue(site.Interface, out var setAt) ? setAt : null,
            site.PersistentKeepalive);
        if (decision.Endpoint is null)
            Log.HubUnresolved(logger, hub.Name, hub.Endpoint);

        // Keys and peer before the link comes up: on link-up wireguard-go sends the first keepalive, which starts the handshake.
        var spec = DesiredDevice(site, hub, decision);
        if (await wireGuard.ApplyAsync(site.Interface, spec, cancellationToken))
        {
            changed = true;
            if (decision.Endpoint is not null && (decision.Refresh || !decision.Endpoint.Equals(current?.Endpoint)))
            {
                _endpointSetAt[site.Interface] = time.GetUtcNow();
                Log.EndpointSet(logger, site.Interface, decision.Endpoint, decision.Reason);
            }
        }

        var addresses = await routing.EnsureAddressesAsync(site.Interface, TunnelAddresses(site, hub), isOwned: _ => true, cancellationToken);
        if (!addresses.IsEmpty)
            Log.AddressesChanged(logger, site.Interface, addresses);
        changed |= !addresses.IsEmpty;
        changed |= await routing.EnsureLinkUpAsync(site.Interface, cancellationToken);
        changed |= await EnsureReturnPathAsync(site, cancellationToken);
        return changed;
    }

    /// <summary>Removes the return-path rules, the return-path table's routes and the interface.</summary>
    public async Task TeardownAsync(SiteNode site, CancellationToken cancellationToken = default)
    {
        var table = ReturnPath.TableFor(site.Interface);
        await routing.EnsureRulesAsync(table, [], cancellationToken);
        await routing.EnsureRoutesAsync(table, [], cancellationToken);
        await wireGuard.DeleteInterfaceAsync(site.Interface, cancellationToken);
        _endpointSetAt.Remove(site.Interface);
    }

    internal static WireGuardDeviceSpec DesiredDevice(SiteNode site, HubNode hub, EndpointChoice decision) =>
        new(
            site.PrivateKeyFile,
            site.PublicKey,
            ListenPort: null,
            [
                // All addresses allowed: clients' packets arrive through the tunnel with their own source
                // address. This adds no route: WireGuard's allowed IPs only filter and pick the peer.
                new WireGuardPeerSpec(
                    hub.PublicKey,
                    [new IPNetwork(IPAddress.Any, 0), new IPNetwork(IPAddress.IPv6Any, 0)],
                    decision.Endpoint,
                    decision.Refresh,
                    site.PersistentKeepalive),
            ]);

    /// <summary>The site's tunnel addresses with the hub's network prefix, so the whole tunnel network routes through the tunnel.</summary>
    internal static IReadOnlyList<InterfaceAddress> TunnelAddresses(SiteNode site, HubNode hub)
    {
        var addresses = new List<InterfaceAddress>();
        if (site.Tunnel.IPv4 is { } v4)
            addresses.Add(new InterfaceAddress(v4, hub.Tunnel.IPv4 is null ? 32 : hub.Tunnel.IPv4PrefixLength));
        if (site.Tunnel.IPv6 is { } v6)
            addresses.Add(new InterfaceAddress(v6, hub.Tunnel.IPv6 is null ? 128 : hub.Tunnel.IPv6PrefixLength));
        return addresses;
    }

    /// <summary>The hub's addresses this host has a route to, in the resolver's order (so a v6-less site never tries v6).</summary>
    private async Task<IReadOnlyList<IPAddress>> ReachableAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var reachable = new List<IPAddress>();
        foreach (var address in await resolver.ResolveAsync(host, cancellationToken))
        {
            if (await routing.HasRouteToAsync(address, cancellationToken))
                reachable.Add(address);
        }
        return reachable;
    }

    private async Task<bool> EnsureReturnPathAsync(SiteNode site, CancellationToken cancellationToken)
    {
        var table = ReturnPath.TableFor(site.Interface);
        // Routes before rules: a rule pointing at an empty table would send the replies to the main table anyway, but briefly.
        var routes = await routing.EnsureRoutesAsync(table, ReturnPath.Routes(site), cancellationToken);
        var rules = await routing.EnsureRulesAsync(table, ReturnPath.Rules(site), cancellationToken);
        if (!routes.IsEmpty || !rules.IsEmpty)
            Log.ReturnPathChanged(logger, site.Interface, table, routes, rules);

        var changed = !routes.IsEmpty || !rules.IsEmpty;
        if (site.Tunnel.IPv4 is not null && await sysctl.EnsureAsync(SysctlKeys.ReversePathFilter(site.Interface), ReturnPath.LooseReversePathFilter, cancellationToken))
        {
            Log.LooseReversePathFilter(logger, site.Interface);
            changed = true;
        }
        return changed;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Hub {Hub}: endpoint {Endpoint} resolves to no address this host can route to; keeping the current endpoint")]
        public static partial void HubUnresolved(ILogger logger, string hub, HostEndpoint endpoint);

        [LoggerMessage(Level = LogLevel.Information, Message = "Set hub endpoint of {Interface} to {Endpoint} ({Reason})")]
        public static partial void EndpointSet(ILogger logger, string @interface, IPEndPoint endpoint, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Site tunnel addresses on {Interface}: {Change}")]
        public static partial void AddressesChanged(ILogger logger, string @interface, RoutingChange<InterfaceAddress> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Return path of {Interface} (table {Table}): routes {Routes}; rules {Rules}")]
        public static partial void ReturnPathChanged(ILogger logger, string @interface, int table, RoutingChange<RouteEntry> routes, RoutingChange<PolicyRule> rules);

        [LoggerMessage(Level = LogLevel.Information, Message = "Set loose reverse-path filtering on {Interface}: clients' packets arrive through it but their addresses route elsewhere")]
        public static partial void LooseReversePathFilter(ILogger logger, string @interface);
    }
}
