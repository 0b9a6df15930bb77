namespace Keepwire.Hub;

/// <summary>What <c>keepwire status</c> shows: the hub's view of every service and site.</summary>
public sealed record HubStatus(
    string Node,
    string ConfigPath,
    DateTimeOffset ConfigLoadedAt,
    DateTimeOffset? LastReconcileAt,
    string? LastError,
    IReadOnlyList<ServiceStatus> Services,
    IReadOnlyList<SiteStatus> Sites)
{
    /// <summary>This hub's part in a hub pair; null for a single hub.</summary>
    public Pair.PairStatus? Pair { get; init; }
}

/// <param name="ServingSite">Null when no site may serve (the service's VIP ports are then not forwarded).</param>
/// <param name="Reason">Why this site, in words: "highest priority", "pinned by operator", "http check failed 3×: …".</param>
public sealed record ServiceStatus(
    string Name,
    string? ServingSite,
    string Reason,
    DateTimeOffset? Since,
    long Epoch);

/// <param name="HandshakeAgeSeconds">Seconds since the site's last WireGuard handshake with this hub; null if never.</param>
public sealed record SiteStatus(
    string Name,
    int Priority,
    string Mode,
    IReadOnlyList<string> TunnelAddresses,
    string? Endpoint,
    double? HandshakeAgeSeconds,
    bool Drained,
    string Health,
    IReadOnlyList<CheckStatus> Checks);

public sealed record CheckStatus(string Name, string State, string? Detail);
