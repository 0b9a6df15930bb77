namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// The difference between a device's state and its spec, as the arguments of one <c>wg set NAME …</c>.
/// Pure, so the "change only what differs" rules are unit tested without a device.
/// </summary>
internal static class WireGuardChanges
{
    /// <summary>The arguments after <c>wg set NAME</c>; empty when the device already matches.</summary>
    public static IReadOnlyList<string> Compute(WireGuardDeviceState state, WireGuardDeviceSpec spec)
    {
        var arguments = new List<string>();
        if (state.PublicKey != spec.PublicKey)
            arguments.AddRange(["private-key", spec.PrivateKeyFile]);
        if (spec.ListenPort is { } port && port != state.ListenPort)
            arguments.AddRange(["listen-port", port.ToString()]);

        foreach (var peer in spec.Peers)
            arguments.AddRange(PeerArguments(state.FindPeer(peer.PublicKey), peer));

        var wanted = spec.Peers.Select(peer => peer.PublicKey).ToHashSet();
        foreach (var stale in state.Peers.Where(peer => !wanted.Contains(peer.PublicKey)))
            arguments.AddRange(["peer", stale.PublicKey.Base64, "remove"]);
        return arguments;
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

    private static bool SameSet<T>(IReadOnlyCollection<T> left, IReadOnlyCollection<T> right) =>
        left.Count == right.Count && left.ToHashSet().SetEquals(right);
}
