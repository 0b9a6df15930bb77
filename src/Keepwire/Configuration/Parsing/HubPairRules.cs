using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Checks the hubs against each other: one hub, or a pair of two that share one tunnel network, each with its
/// own tunnel address, public interface (keepalived puts the VIPs there), pair address and VRRP priority.
/// Applies the pair defaults and gives the pair's settings, or null for a single hub.
/// </summary>
internal static class HubPairRules
{
    public static HubPairSettings? Check(IReadOnlyList<HubDraft> hubs, HubPairDraft? pair, IReadOnlyList<ServiceDraft> services, ConfigErrorSink errors)
    {
        if (hubs.Count > 2)
        {
            errors.Report(hubs[2].Node, $"a cluster has one hub or a pair of two, but {hubs[2].DisplayName} is a third",
                "remove the hubs after the second; more than one hub pair is not supported");
            return null;
        }

        if (hubs.Count < 2)
        {
            RejectPairKeys(hubs, pair, errors);
            return null;
        }

        var (first, second) = (hubs[0], hubs[1]);
        CheckTunnels(first, second, errors);
        foreach (var hub in hubs.Where(h => h.PublicInterfaceAbsent))
        {
            errors.Report(hub.Node, $"{hub.DisplayName} of a pair is missing required key 'public_interface'",
                "keepalived adds the VIPs to this interface of the hub that holds them, e.g. public_interface: eth0");
        }

        AssignPairAddresses(first, second, errors);
        AssignPriorities(first, second, errors);
        PairAddressRules.CheckAgainstVips(hubs, services, errors);

        var settings = pair is null ? HubPairSettings.Default : pair.Settings;
        if (settings is not null && pair is not null)
            CheckSyncPort(hubs, settings.SyncPort, pair, errors);
        return settings;
    }

    private static void RejectPairKeys(IReadOnlyList<HubDraft> hubs, HubPairDraft? pair, ConfigErrorSink errors)
    {
        const string hint = "add the second hub under hubs:, or remove it";
        if (pair is not null && hubs.Count == 1)
            errors.Report(pair.KeyNode, "hub_pair is only used with two hubs, but the file has one", hint);
        foreach (var hub in hubs)
        {
            if (hub.ExplicitPairAddress is { } address)
                errors.Report(address.Node, $"pair_address of {hub.DisplayName} is only used in a hub pair", hint);
            if (hub.ExplicitVrrpPriority is { } priority)
                errors.Report(priority.Node, $"vrrp_priority of {hub.DisplayName} is only used in a hub pair", hint);
        }
    }

    /// <summary>
    /// One tunnel network for both hubs: a site has one tunnel address, reachable through either hub, so a hub
    /// failover does not change where DNAT sends traffic.
    /// </summary>
    private static void CheckTunnels(HubDraft first, HubDraft second, ConfigErrorSink errors)
    {
        if (first.Tunnel is not { } firstTunnel || second.Tunnel is not { } secondTunnel || second.TunnelNode is not { } secondTunnelNode)
            return;
        foreach (var family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            var key = family == AddressFamily.InterNetwork ? "ipv4" : "ipv6";
            var mine = firstTunnel.AddressOf(family);
            var theirs = secondTunnel.AddressOf(family);
            var network = firstTunnel.NetworkOf(family);
            if (mine is null && theirs is null)
                continue;
            if (theirs is null)
            {
                errors.Report(secondTunnelNode, $"{second.DisplayName} has no tunnel {key} address, but {first.DisplayName} has {mine!.Value}/{network!.Value.PrefixLength}",
                    $"both hubs of a pair need addresses in the same tunnel networks: add e.g. {key}: {SuggestAddress(mine.Value, network.Value)}");
            }
            else if (mine is null || network is not { } sharedNetwork)
            {
                errors.Report(theirs.Node, $"tunnel {key} of {second.DisplayName} has no counterpart: {first.DisplayName} has no tunnel {key} address",
                    $"add {key} to the tunnel of {first.DisplayName} too, or remove it here");
            }
            else if (!sharedNetwork.Equals(secondTunnel.NetworkOf(family)))
            {
                errors.Report(theirs.Node, $"tunnel {key} {theirs.Value}/{secondTunnel.NetworkOf(family)!.Value.PrefixLength} of {second.DisplayName} does not match the tunnel network {sharedNetwork} of {first.DisplayName}",
                    $"both hubs of a pair share one tunnel network, prefix length included: use e.g. {SuggestAddress(mine.Value, sharedNetwork)}");
            }
            else if (mine.Value.Equals(theirs.Value))
            {
                errors.Report(theirs.Node, $"tunnel {key} {theirs.Value} of {second.DisplayName} is already used by {first.DisplayName}",
                    $"every node needs its own tunnel address: use e.g. {SuggestAddress(mine.Value, sharedNetwork)}");
            }
        }
    }

    /// <summary>The address after <paramref name="taken"/> (or before it, at the network's end), with the network's prefix.</summary>
    private static string SuggestAddress(IPAddress taken, IPNetwork network)
    {
        var number = Networks.ToNumber(taken);
        var next = Networks.FromNumber(number + 1, taken.AddressFamily);
        var candidate = network.Contains(next) && Networks.IsUsableHost(network, next, out _) ? next : Networks.FromNumber(number - 1, taken.AddressFamily);
        return $"{candidate}/{network.PrefixLength}";
    }

    private static void AssignPairAddresses(HubDraft first, HubDraft second, ConfigErrorSink errors)
    {
        foreach (var hub in new[] { first, second })
        {
            hub.PairAddress = hub.ExplicitPairAddress?.Value ?? EndpointAddress(hub);
            if (hub.PairAddress is null && hub.Endpoint is { } endpoint)
            {
                errors.Report(hub.Node, $"{hub.DisplayName} of a pair is missing required key 'pair_address'",
                    $"its endpoint host '{endpoint.Host}' is a name: add the hub's own address the other hub reaches it on, e.g. pair_address: 198.51.100.2");
            }
            else if (hub.ExplicitPairAddress is { } explicitAddress && PairAddressRules.Unusable(explicitAddress.Value) is { } reason)
            {
                errors.Report(explicitAddress.Node, $"pair_address {explicitAddress.Value} of {hub.DisplayName} is {reason}",
                    "use the hub's own unicast address on the link to the other hub");
                hub.PairAddress = null;
            }
        }

        if (first.PairAddress is not { } mine || second.PairAddress is not { } theirs)
            return;
        var position = second.ExplicitPairAddress?.Node ?? second.EndpointNode ?? second.Node;
        if (mine.AddressFamily != theirs.AddressFamily)
        {
            errors.Report(position, $"pair_address {theirs} of {second.DisplayName} is {AddressSyntax.FamilyName(theirs)}, but the pair_address of {first.DisplayName} is {AddressSyntax.FamilyName(mine)} ({mine})",
                "VRRP unicast and the hub sync run over one family: give both hubs pair addresses of the same family");
        }
        else if (mine.Equals(theirs))
        {
            errors.Report(position, $"pair_address {theirs} of {second.DisplayName} is also the pair_address of {first.DisplayName}",
                "each hub's pair_address is its own address");
        }
    }

    /// <summary>The endpoint's host when it is an address literal: usually the hub's own address, which VRRP can use too.</summary>
    private static IPAddress? EndpointAddress(HubDraft hub) =>
        hub.Endpoint is { } endpoint && AddressSyntax.TryParseAddress(endpoint.Host, out var address) ? address : null;

    private static void AssignPriorities(HubDraft first, HubDraft second, ConfigErrorSink errors)
    {
        first.VrrpPriority = first.ExplicitVrrpPriority?.Value ?? HubPairSettings.DefaultFirstHubPriority;
        second.VrrpPriority = second.ExplicitVrrpPriority?.Value ?? HubPairSettings.DefaultSecondHubPriority;
        if (first.VrrpPriority != second.VrrpPriority)
            return;

        // The defaults differ, so at least one priority was written; point at it (the second hub's when both were).
        var (hub, other, written) = second.ExplicitVrrpPriority is { } secondWritten
            ? (second, first, secondWritten)
            : (first, second, first.ExplicitVrrpPriority!);
        errors.Report(written.Node, $"vrrp_priority {written.Value} of {hub.DisplayName} equals that of {other.DisplayName}",
            "the hubs need different priorities: the higher one keeps deciding when both hold the VIPs");
    }

    /// <summary>sync_port and WireGuard both bind UDP on the hub: one port cannot serve both.</summary>
    private static void CheckSyncPort(IReadOnlyList<HubDraft> hubs, int syncPort, HubPairDraft pair, ConfigErrorSink errors)
    {
        foreach (var hub in hubs.Where(h => h.ListenPort == syncPort))
        {
            errors.Report(pair.SyncPortPosition, $"sync_port {syncPort} is the WireGuard listen port of {hub.DisplayName}",
                "pick another UDP port for sync_port");
        }
    }
}
