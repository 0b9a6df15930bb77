namespace Keepwire.Site;

/// <summary>What <c>keepwire status</c> shows for a site.</summary>
/// <param name="Tunnels">One per hub, in the config's order.</param>
/// <param name="SyncRelay">The hub sync relay's counters; null with one hub.</param>
public sealed record SiteAgentStatus(
    string Site,
    IReadOnlyList<SiteTunnelStatus> Tunnels,
    HubSyncRelayCounters? SyncRelay,
    DateTimeOffset ConfigLoadedAt,
    DateTimeOffset? LastReconcileAt,
    string? LastError);

/// <param name="HubEndpoint">The endpoint as configured (a name or an address).</param>
/// <param name="ResolvedEndpoint">The address WireGuard sends to right now; null before the first one is set.</param>
/// <param name="HandshakeAgeSeconds">Seconds since the latest handshake with this hub; null if none yet.</param>
public sealed record SiteTunnelStatus(string Hub, string Interface, string HubEndpoint, string? ResolvedEndpoint, double? HandshakeAgeSeconds);
