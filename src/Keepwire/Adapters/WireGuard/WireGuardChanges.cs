namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// The difference between a device's state and its spec, as arguments of <c>wg set NAME …</c>: the device's
/// own settings, and each peer's change on its own, so a peer <c>wg</c> refuses can be told apart from the rest.
/// Pure, so the "change only what differs" rules are unit tested without a device.
/// </summary>
/// <param name="Device">Private key and listen port; empty when they match.</param>
/// <param name="Peers">One entry per peer to add, change or remove, with its arguments (starting with <c>peer KEY</c>).</param>
internal sealed record WireGuardChanges(IReadOnlyList<string> Device, IReadOnlyList<WireGuardPeerChange> Peers)
{
    public bool IsEmpty => Device.Count == 0 && Peers.Count == 0;

    /// <summary>Everything as the arguments of one <c>wg set</c>.</summary>
    public IReadOnlyList<string> All => [.. Device, .. Peers.SelectMany(peer => peer.Arguments)];

    public static WireGuardChanges Compute(WireGuardDeviceState state, WireGuardDeviceSpec spec)
    {
        var device = new List<string>();
        if (state.PublicKey != spec.PublicKey)
            device.AddRange(["private-key", spec.PrivateKeyFile]);
        if (spec.ListenPort is { } port && port != state.ListenPort)
            device.AddRange(["listen-port", port.ToString()]);

        var peers = new List<WireGuardPeerChange>();
        // Peers that gain an allowed IP first: WireGuard moves an allowed IP from its old peer as the new one
        // takes it, so a prefix switching sites (routed services) always has a peer, even between the two peers' changes.
        foreach (var peer in spec.Peers.OrderBy(peer => GainsAllowedIp(state.FindPeer(peer.PublicKey), peer) ? 0 : 1))
        {
            if (PeerArguments(state.FindPeer(peer.PublicKey), peer) is { Count: > 0 } arguments)
                peers.Add(new WireGuardPeerChange(peer.PublicKey, arguments));
        }

        var wanted = spec.Peers.Select(peer => peer.PublicKey).ToHashSet();
        foreach (var stale in state.Peers.Where(peer => !wanted.Contains(peer.PublicKey)))
            peers.Add(new WireGuardPeerChange(stale.PublicKey, ["peer", stale.PublicKey.Base64, "remove"]));
        return new WireGuardChanges(device, peers);
    }

    private static List<string> PeerArguments(WireGuardPeerState? current, WireGuardPeerSpec wanted)
    {
        var changes = new List<string>();
        if (current is null || !SameSet(current.AllowedIps, wanted.AllowedIps))
            changes.AddRange(["allowed-ips", string.Join(',', wanted.AllowedIps)]);
        if (wanted.Endpoint is { } endpoint && (wanted.RefreshEndpoint || current is null || !endpoint.Equals(current.Endpoint)))
            changes.AddRange(["endpoint", endpoint.ToString()]);
        if (current is null ? wanted.PersistentKeepalive != 0 : current.PersistentKeepalive != wanted.PersistentKeepalive)
            changes.AddRange(["persistent-keepalive", wanted.PersistentKeepalive == 0 ? "off" : wanted.PersistentKeepalive.ToString()]);

        if (changes.Count == 0 && current is not null)
            return [];
        return ["peer", wanted.PublicKey.Base64, .. changes];
    }

    private static bool GainsAllowedIp(WireGuardPeerState? current, WireGuardPeerSpec wanted) =>
        current is not null && wanted.AllowedIps.Except(current.AllowedIps).Any();

    private static bool SameSet<T>(IReadOnlyCollection<T> left, IReadOnlyCollection<T> right) =>
        left.Count == right.Count && left.ToHashSet().SetEquals(right);
}

/// <summary>One peer's part of a <c>wg set</c>.</summary>
internal sealed record WireGuardPeerChange(Model.WireGuardKey PublicKey, IReadOnlyList<string> Arguments);
