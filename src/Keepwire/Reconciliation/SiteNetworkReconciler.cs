using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reconciliation;

/// <summary>
/// Makes a site's network match the config: one WireGuard interface per hub (recreated if it died) with that
/// hub as its only peer, the tunnel addresses, and the return path that sends replies back into the tunnel
/// the connection came through (so client addresses survive) without touching the site's default route.
/// Level-triggered and idempotent, like <see cref="HubNetworkReconciler"/>. A site of a hub pair, or one serving
/// a UDP service, owns the table <see cref="SiteReturnPathTable"/>; a site with one hub and only TCP services never
/// needs nftables.
/// </summary>
public sealed partial class SiteNetworkReconciler(
    IWireGuard wireGuard,
    IRouting routing,
    ISysctl sysctl,
    IHostResolver resolver,
    INftables nftables,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>
    /// When this reconciler last set each interface's endpoint. Instance state (one reconciler per site
    /// daemon): it only paces retries, so losing it on restart costs at most one early retry.
    /// </summary>
    private readonly Dictionary<string, DateTimeOffset> _endpointSetAt = [];

    /// <summary>
    /// Runs one pass over every hub's tunnel; returns whether anything had to change. A failure in one tunnel
    /// does not stop the others (in a pair the other hub may be the one carrying the traffic); it is thrown
    /// after all of them had their turn.
    /// </summary>
    public async Task<bool> ReconcileAsync(ClusterConfig config, SiteNode site, CancellationToken cancellationToken = default)
    {
        var tunnels = SiteTunnelPlan.For(config, site);
        var changed = false;
        var failures = new List<Exception>();
        async Task Attempt(Func<Task<bool>> step)
        {
            try
            {
                changed |= await step();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add(e);
            }
        }

        foreach (var tunnel in tunnels)
            await Attempt(() => EnsureTunnelAsync(site, tunnel, cancellationToken));
        // The marks before the rules that read them: a rule without marked packets is harmless, the reverse is not.
        var returnPath = SiteReturnPathSpec.For(config, site, tunnels);
        await Attempt(() => EnsureReturnPathTableAsync(returnPath, cancellationToken));
        await Attempt(() => EnsureForwardingAsync(returnPath.Forwards, cancellationToken));
        foreach (var tunnel in tunnels)
            await Attempt(() => EnsureReturnPathAsync(site, tunnel, cancellationToken));
        // After the return path: a held address whose replies had no rule yet would answer through the site's own uplink.
        if (failures.Count == 0)
            await Attempt(() => EnsureRoutedPrefixesAsync(SiteTunnelPlan.RoutedPrefixes(config, site), cancellationToken));

        if (failures.Count == 1)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        if (failures.Count > 1)
            throw new AggregateException($"{failures.Count} steps failed: {string.Join("; ", failures.Select(f => f.Message))}", failures);
        return changed;
    }

    /// <summary>Removes every tunnel's return-path rules and table routes, the site's nftables table, and the interfaces.</summary>
    public async Task TeardownAsync(SiteNode site, CancellationToken cancellationToken = default)
    {
        var interfaces = site.Interfaces.Count > 0 ? site.Interfaces.Values.ToList() : [site.Interface];
        foreach (var name in interfaces)
        {
            var table = ReturnPath.TableFor(name);
            await routing.EnsureRulesAsync(table, [], cancellationToken);
            await routing.EnsureRoutesAsync(table, [], cancellationToken);
        }

        await routing.EnsureLocalPrefixesAsync([], cancellationToken);
        if (await ReadReturnPathTableAsync(cancellationToken) is not null)
            await nftables.ApplyAsync(SiteReturnPathTable.DeleteScript, cancellationToken);
        foreach (var name in interfaces)
        {
            await wireGuard.DeleteInterfaceAsync(name, cancellationToken);
            _endpointSetAt.Remove(name);
        }
    }

    /// <summary>The interface with its peer, addresses and link, and in a pair the host routes to the hub.</summary>
    private async Task<bool> EnsureTunnelAsync(SiteNode site, SiteTunnelPlan tunnel, CancellationToken cancellationToken)
    {
        var (hub, name) = (tunnel.Hub, tunnel.Interface);
        var changed = await wireGuard.EnsureInterfaceAsync(name, cancellationToken);
        var current = (await wireGuard.ReadAsync(name, cancellationToken))?.FindPeer(hub.PublicKey);

        var decision = EndpointChoice.Decide(
            await ReachableAddressesAsync(hub.Endpoint.Host, cancellationToken),
            hub.Endpoint.Port,
            current,
            time.GetUtcNow(),
            _endpointSetAt.TryGetValue(name, out var setAt) ? setAt : null,
            site.PersistentKeepalive);
        if (decision.Endpoint is null)
            Log.HubUnresolved(logger, hub.Name, hub.Endpoint);

        // Keys and peer before the link comes up: on link-up wireguard-go sends the first keepalive, which starts the handshake.
        if (await wireGuard.ApplyAsync(name, DesiredDevice(site, hub, decision), cancellationToken: cancellationToken))
        {
            changed = true;
            if (decision.Endpoint is not null && (decision.Refresh || !decision.Endpoint.Equals(current?.Endpoint)))
            {
                _endpointSetAt[name] = time.GetUtcNow();
                Log.EndpointSet(logger, name, decision.Endpoint, decision.Reason);
            }
        }

        var addresses = await routing.EnsureAddressesAsync(name, tunnel.Addresses, isOwned: _ => true, cancellationToken);
        if (!addresses.IsEmpty)
            Log.AddressesChanged(logger, name, addresses);
        changed |= !addresses.IsEmpty;
        changed |= await routing.EnsureLinkUpAsync(name, cancellationToken);
        if (tunnel.ReturnMark is not null)
        {
            // Only host routes through this interface are ours in main; a single-hub site adds none, as before pairs.
            var hubRoutes = await routing.EnsureRoutesAsync(RoutingTables.Main, tunnel.HubRoutes, route => IsHostRouteThrough(route, name), cancellationToken);
            if (!hubRoutes.IsEmpty)
                Log.HubRoutesChanged(logger, name, hubRoutes);
            changed |= !hubRoutes.IsEmpty;
        }
        return changed;
    }

    /// <summary>
    /// The site holds every routed prefix of the services it may serve, serving or not: the hub alone decides who gets
    /// the traffic (it routes a prefix to one site's peer only), so a switch needs nothing from the site and is as quick
    /// as the hub; a standby's held address receives nothing. A local route makes the whole prefix this host's, an IPv6
    /// /64 as much as an IPv4 /32, and answers ICMP echo on every address in it.
    /// </summary>
    private async Task<bool> EnsureRoutedPrefixesAsync(IReadOnlyList<IPNetwork> prefixes, CancellationToken cancellationToken)
    {
        var change = await routing.EnsureLocalPrefixesAsync(prefixes, cancellationToken);
        if (!change.IsEmpty)
            Log.RoutedPrefixesChanged(logger, change);
        return !change.IsEmpty;
    }

    /// <summary>
    /// A router forwards to its LAN servers: IPv4 (or IPv6) forwarding on, in the families it forwards. Never turned off
    /// again: a router usually forwards for more than Keepwire. IPv6 forwarding makes interfaces with accept_ra=1 ignore
    /// router advertisements, which the documentation warns about (a SLAAC uplink needs accept_ra=2).
    /// </summary>
    private async Task<bool> EnsureForwardingAsync(IReadOnlyList<LanForward> forwards, CancellationToken cancellationToken)
    {
        var changed = false;
        foreach (var (key, needed) in new[] { (SysctlKeys.IPv4Forwarding, forwards.Any(f => !f.IsIPv6)), (SysctlKeys.IPv6Forwarding, forwards.Any(f => f.IsIPv6)) })
        {
            if (needed && await sysctl.EnsureAsync(key, "1", cancellationToken))
            {
                Log.ForwardingEnabled(logger, key);
                changed = true;
            }
        }
        return changed;
    }

    private static bool IsHostRouteThrough(RouteEntry route, string device) =>
        route.Device == device && route.Gateway is null && route.Destination.PrefixLength == (route.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32);

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

    /// <summary>One hub: the site's tunnel addresses with the hub's network prefix, so the whole tunnel network routes through the tunnel.</summary>
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

    private async Task<bool> EnsureReturnPathTableAsync(SiteReturnPathSpec spec, CancellationToken cancellationToken)
    {
        var actual = await ReadReturnPathTableAsync(cancellationToken);
        if (spec.IsEmpty)
        {
            if (actual is null)
                return false;
            await nftables.ApplyAsync(SiteReturnPathTable.DeleteScript, cancellationToken);
            Log.ReturnPathTableRemoved(logger, SiteReturnPathTable.Name);
            return true;
        }

        var comment = SiteReturnPathTable.Comment(spec);
        if (actual?.Comment == comment)
            return false;
        await nftables.ApplyAsync(SiteReturnPathTable.ApplyScript(spec), cancellationToken);
        Log.ReturnPathTableApplied(logger, SiteReturnPathTable.Name, comment);
        return true;
    }

    /// <summary>The site's table, or null when it is absent, including when nft is not installed (a site that never needed it).</summary>
    private async Task<NftTableState?> ReadReturnPathTableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await nftables.ReadTableAsync(SiteReturnPathTable.Family, SiteReturnPathTable.Name, cancellationToken);
        }
        catch (NftablesException e) when (e.Reason == NftablesFailure.NotInstalled)
        {
            return null;
        }
    }

    private async Task<bool> EnsureReturnPathAsync(SiteNode site, SiteTunnelPlan tunnel, CancellationToken cancellationToken)
    {
        var (name, table) = (tunnel.Interface, tunnel.ReturnTable);
        // Routes before rules: a rule pointing at an empty table would send the replies to the main table anyway, but briefly.
        var routes = await routing.EnsureRoutesAsync(table, tunnel.ReturnRoutes, cancellationToken);
        var rules = await routing.EnsureRulesAsync(table, tunnel.ReturnRules, cancellationToken);
        if (!routes.IsEmpty || !rules.IsEmpty)
            Log.ReturnPathChanged(logger, name, table, routes, rules);

        var changed = !routes.IsEmpty || !rules.IsEmpty;
        if (site.Tunnel.IPv4 is not null && await sysctl.EnsureAsync(SysctlKeys.ReversePathFilter(name), ReturnPath.LooseReversePathFilter, cancellationToken))
        {
            Log.LooseReversePathFilter(logger, name);
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

        [LoggerMessage(Level = LogLevel.Information, Message = "Public prefixes of routed services held by this site: {Change}")]
        public static partial void RoutedPrefixesChanged(ILogger logger, RoutingChange<IPNetwork> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Routes to the hub through {Interface}: {Change}")]
        public static partial void HubRoutesChanged(ILogger logger, string @interface, RoutingChange<RouteEntry> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Applied nftables table inet {Table} ({Comment}): replies follow the tunnel their connection arrived through, and UDP replies leave from the tunnel address")]
        public static partial void ReturnPathTableApplied(ILogger logger, string table, string comment);

        [LoggerMessage(Level = LogLevel.Information, Message = "Removed nftables table inet {Table}: one hub, no UDP service and no LAN server need none")]
        public static partial void ReturnPathTableRemoved(ILogger logger, string table);

        [LoggerMessage(Level = LogLevel.Information, Message = "Return path of {Interface} (table {Table}): routes {Routes}; rules {Rules}")]
        public static partial void ReturnPathChanged(ILogger logger, string @interface, int table, RoutingChange<RouteEntry> routes, RoutingChange<PolicyRule> rules);

        [LoggerMessage(Level = LogLevel.Information, Message = "Set {Key} = 1: this site forwards services to servers on its LAN")]
        public static partial void ForwardingEnabled(ILogger logger, string key);

        [LoggerMessage(Level = LogLevel.Information, Message = "Set loose reverse-path filtering on {Interface}: clients' packets arrive through it but their addresses route elsewhere")]
        public static partial void LooseReversePathFilter(ILogger logger, string @interface);
    }
}
