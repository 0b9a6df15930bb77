using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reconciliation;

/// <summary>
/// Makes a hub's network match the config: its WireGuard interface (recreated if it died), one peer per
/// site, its tunnel addresses, forwarding, a small neighbour queue on the interfaces WireGuard sends by
/// (see <see cref="NeighbourQueues"/>), and the service VIPs on the public interface (a single hub; in a
/// pair keepalived holds them).
/// Level-triggered: every pass reads what is there and changes only the difference, so a second pass
/// changes nothing and a restarted daemon adopts what the previous one left.
/// </summary>
/// <remarks>
/// The hub runs a pass every second. The WireGuard device and the sysctls are read every pass (a socket and a few
/// /proc/sys files with the host's adapters). Links, addresses and routes take five runs of <c>ip</c>, so they are
/// read only when <paramref name="routingChanges"/> says something may have changed (the kernel notifies every
/// change), after a new config, after a pass that failed, and every <see cref="RoutingResyncInterval"/> anyway:
/// drift is still repaired on the pass after it happens, and an idle hub starts no program.
/// </remarks>
/// <remarks>
/// VIP ownership: Keepwire adds VIPs with address metric <see cref="InterfaceAddress.KeepwireAddressMetric"/>
/// and only ever removes addresses that carry it. A VIP that is already on the interface without the mark
/// (added by the operator, the provider or keepalived) is left alone, never duplicated and never removed.
/// Because the mark lives in the kernel, a restarted daemon still recognises VIPs it added before and
/// removes those dropped from the config meanwhile.
/// </remarks>
public sealed partial class HubNetworkReconciler(
    IWireGuard wireGuard,
    IRouting routing,
    ISysctl sysctl,
    ILogger logger,
    IRoutingChanges? routingChanges = null,
    TimeProvider? time = null)
{
    /// <summary>How long links, addresses and routes go unread at most while no change is notified: a safety net only.</summary>
    public static readonly TimeSpan RoutingResyncInterval = TimeSpan.FromSeconds(30);

    private readonly IRoutingChanges _routingChanges = routingChanges ?? AlwaysChanged.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private (ClusterConfig Config, HubNode Hub, DateTimeOffset At)? _routingChecked;
    private IReadOnlyList<string> _neighbourDevices = [];

    /// <summary>The routed prefixes of the last data plane applied: which site's peer carries each (see <see cref="ApplyRoutedAsync"/>).</summary>
    private IReadOnlyList<RoutedPrefix> _routed = [];

    /// <summary>Runs one pass; returns whether anything had to change.</summary>
    public async Task<bool> ReconcileAsync(ClusterConfig config, HubNode hub, CancellationToken cancellationToken = default)
    {
        // Taken first, so a change made while this pass reads shows on the next one.
        var routingDue = _routingChanges.TakeChanged() | RoutingCheckDue(config, hub);
        var checkedBefore = _routingChecked;
        // Until this pass completes, the next one reads everything.
        _routingChecked = null;

        Device = null;
        var changed = await wireGuard.EnsureInterfaceAsync(hub.Interface, cancellationToken);
        // Keys and peers before the link comes up, so the interface never runs half-configured. One read serves
        // the diff and, when nothing had to change, the caller's handshakes (kernel WireGuard: one `wg show dump`).
        var device = await wireGuard.ReadAsync(hub.Interface, cancellationToken);
        var deviceChanged = await wireGuard.ApplyAsync(hub.Interface, DesiredDevice(config, hub, _routed), device, cancellationToken);
        changed |= deviceChanged;

        // A recreated or reconfigured interface needs its addresses and link state again at once.
        var readRouting = routingDue || changed;
        if (readRouting)
        {
            var addresses = await routing.EnsureAddressesAsync(hub.Interface, TunnelAddresses(hub), isOwned: _ => true, cancellationToken);
            if (!addresses.IsEmpty)
                Log.AddressesChanged(logger, hub.Interface, addresses);
            changed |= !addresses.IsEmpty;
            changed |= await routing.EnsureLinkUpAsync(hub.Interface, cancellationToken);
            changed |= await EnsureRoutedRoutesAsync(config, hub, cancellationToken);
            _neighbourDevices = await NeighbourQueueDevicesAsync(hub, cancellationToken);
        }

        changed |= await EnsureForwardingAsync(hub, cancellationToken);
        changed |= await EnsureNeighbourQueuesAsync(_neighbourDevices, cancellationToken);
        // In a pair keepalived holds the VIPs and moves them; Keepwire only removes VIPs it added itself
        // (a hub that was single before), never keepalived's, which carry no Keepwire mark.
        if (hub.PublicInterface is not null && readRouting)
            changed |= await EnsureVipsAsync(hub.PublicInterface, config.HubPair is null ? config.AllVips() : [], cancellationToken);

        _routingChecked = readRouting || checkedBefore is null ? (config, hub, _time.GetUtcNow()) : checkedBefore;
        Device = deviceChanged ? null : device;
        return changed;
    }

    /// <summary>
    /// Moves each routed prefix to the WireGuard peer of the site <paramref name="plane"/> routes it to, in one <c>wg set</c>
    /// (called right after the plane's table is in the kernel, so a switch does not wait for the next pass). The peers that
    /// gain a prefix come first in it: WireGuard takes an allowed IP away from its old peer as it gives it to the new
    /// one, so there is no moment without a peer for it. The kernel route stays put: it sends the prefix into the tunnel
    /// whichever site serves, and with none, WireGuard drops it rather than the hub's default route sending it back out.
    /// </summary>
    public async Task<bool> ApplyRoutedAsync(ClusterConfig config, HubNode hub, HubDataPlane plane, CancellationToken cancellationToken = default)
    {
        var unchanged = _routed.Count == plane.Routed.Count && _routed.Zip(plane.Routed).All(pair => pair.First.SameAs(pair.Second));
        _routed = plane.Routed;
        if (unchanged)
            return false;
        Device = null;
        var changed = await wireGuard.ApplyAsync(hub.Interface, DesiredDevice(config, hub, _routed), cancellationToken: cancellationToken);
        foreach (var prefix in changed ? _routed : [])
            Log.RoutedPrefixPeer(logger, prefix.Prefix, prefix.Service, hub.Interface, prefix.Site ?? "no site");
        return changed;
    }

    /// <summary>The WireGuard device as the last pass found it when that pass did not change it; null otherwise (read it again).</summary>
    public WireGuardDeviceState? Device { get; private set; }

    /// <summary>A new config or hub, a pass that did not complete, or the safety interval passed.</summary>
    private bool RoutingCheckDue(ClusterConfig config, HubNode hub) =>
        _routingChecked is not { } last
        || !ReferenceEquals(last.Config, config)
        || !ReferenceEquals(last.Hub, hub)
        || _time.GetUtcNow() - last.At >= RoutingResyncInterval;

    /// <summary>Removes the WireGuard interface and the VIPs Keepwire added. Forwarding sysctls stay on: other things may rely on them.</summary>
    public async Task TeardownAsync(HubNode hub, CancellationToken cancellationToken = default)
    {
        await wireGuard.DeleteInterfaceAsync(hub.Interface, cancellationToken);
        if (hub.PublicInterface is not null && await routing.LinkExistsAsync(hub.PublicInterface, cancellationToken))
            await EnsureVipsAsync(hub.PublicInterface, [], cancellationToken);
    }

    /// <param name="routed">Routed prefixes join the allowed IPs of their serving site's peer: WireGuard sends them there, and takes replies from them only from there.</param>
    internal static WireGuardDeviceSpec DesiredDevice(ClusterConfig config, HubNode hub, IReadOnlyList<RoutedPrefix>? routed = null) =>
        new(
            hub.PrivateKeyFile,
            hub.PublicKey,
            hub.ListenPort,
            // No endpoint and no keepalive: sites dial in and keep their NAT open; the hub learns each
            // site's endpoint from its packets and must not overwrite it.
            [.. config.Sites.Select(site => new WireGuardPeerSpec(
                site.PublicKey,
                [.. HostNetworks(site.Tunnel), .. (routed ?? []).Where(r => r.SitePeer == site.PublicKey).Select(r => r.Prefix).Distinct()]))]);

    /// <summary>
    /// One route in <c>main</c> per routed prefix, through the WireGuard interface, for as long as the config has it.
    /// Ours are the routes through that interface outside the tunnel networks (the kernel's own prefix routes).
    /// </summary>
    private async Task<bool> EnsureRoutedRoutesAsync(ClusterConfig config, HubNode hub, CancellationToken cancellationToken)
    {
        var desired = config.Services.SelectMany(s => s.RoutedPrefixes).Distinct().Select(prefix => new RouteEntry(prefix, hub.Interface)).ToList();
        var tunnelNetworks = TunnelAddresses(hub).Select(a => Configuration.Parsing.Networks.Containing(a.Address, a.PrefixLength)).ToList();
        var change = await routing.EnsureRoutesAsync(RoutingTables.Main, desired, route =>
            route.Device == hub.Interface && route.Gateway is null && !route.Destination.BaseAddress.IsIPv6LinkLocal
            && !tunnelNetworks.Any(network => network.Contains(route.Destination.BaseAddress)), cancellationToken);
        if (!change.IsEmpty)
            Log.RoutedRoutesChanged(logger, hub.Interface, change);
        return !change.IsEmpty;
    }

    internal static IReadOnlyList<InterfaceAddress> TunnelAddresses(HubNode hub)
    {
        var addresses = new List<InterfaceAddress>();
        if (hub.Tunnel.IPv4 is { } v4)
            addresses.Add(new InterfaceAddress(v4, hub.Tunnel.IPv4PrefixLength));
        if (hub.Tunnel.IPv6 is { } v6)
            addresses.Add(new InterfaceAddress(v6, hub.Tunnel.IPv6PrefixLength));
        return addresses;
    }

    private static IReadOnlyList<IPNetwork> HostNetworks(TunnelAddresses tunnel) =>
        [.. tunnel.All.Select(address => new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32))];

    private async Task<bool> EnsureVipsAsync(string publicInterface, IReadOnlyList<IPAddress> vips, CancellationToken cancellationToken)
    {
        var present = await routing.GetAddressesAsync(publicInterface, cancellationToken);
        var desired = VipPlan(present, vips);
        var change = await routing.EnsureAddressesAsync(publicInterface, desired, IsKeepwireVip, cancellationToken);
        if (!change.IsEmpty)
            Log.VipsChanged(logger, publicInterface, change);
        return !change.IsEmpty;
    }

    /// <summary>The VIP addresses Keepwire must hold itself: every VIP except those someone else already put on the interface.</summary>
    internal static IReadOnlyList<InterfaceAddress> VipPlan(IReadOnlyList<InterfaceAddress> present, IReadOnlyList<IPAddress> vips) =>
        [.. vips
            .Where(vip => !present.Any(address => address.Address.Equals(vip) && !IsKeepwireVip(address)))
            .Select(vip => InterfaceAddress.Host(vip, InterfaceAddress.KeepwireAddressMetric))];

    internal static bool IsKeepwireVip(InterfaceAddress address) => address.Metric == InterfaceAddress.KeepwireAddressMetric;

    private async Task<bool> EnsureForwardingAsync(HubNode hub, CancellationToken cancellationToken)
    {
        var changed = await EnsureSysctlAsync(SysctlKeys.IPv4Forwarding, "1", cancellationToken);
        if (hub.Tunnel.IPv6 is null)
            return changed;
        // Turning on IPv6 forwarding makes every interface with accept_ra=1 ignore router advertisements,
        // which silently drops a SLAAC-configured VPS's IPv6 default route: keep accepting them on the public side.
        if (hub.PublicInterface is not null && await sysctl.ReadAsync(SysctlKeys.AcceptRouterAdvertisements(hub.PublicInterface), cancellationToken) == "1")
            changed |= await EnsureSysctlAsync(SysctlKeys.AcceptRouterAdvertisements(hub.PublicInterface), "2", cancellationToken);
        return changed | await EnsureSysctlAsync(SysctlKeys.IPv6Forwarding, "1", cancellationToken);
    }

    private async Task<bool> EnsureSysctlAsync(string key, string value, CancellationToken cancellationToken)
    {
        if (!await sysctl.EnsureAsync(key, value, cancellationToken))
            return false;
        Log.SysctlSet(logger, key, value);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Hub tunnel addresses on {Interface}: {Change}")]
        public static partial void AddressesChanged(ILogger logger, string @interface, RoutingChange<InterfaceAddress> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Hub VIPs on {Interface}: {Change}")]
        public static partial void VipsChanged(ILogger logger, string @interface, RoutingChange<InterfaceAddress> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Routes of routed services through {Interface}: {Change}")]
        public static partial void RoutedRoutesChanged(ILogger logger, string @interface, RoutingChange<RouteEntry> change);

        [LoggerMessage(Level = LogLevel.Information, Message = "Routed prefix {Prefix} of {Service} goes through {Interface} to {Site}")]
        public static partial void RoutedPrefixPeer(ILogger logger, IPNetwork prefix, string service, string @interface, string site);

        [LoggerMessage(Level = LogLevel.Information, Message = "Set sysctl {Key} = {Value}")]
        public static partial void SysctlSet(ILogger logger, string key, string value);
    }
}
