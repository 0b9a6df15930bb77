namespace Keepwire.Model;

/// <summary>How the hub hands traffic to a site.</summary>
public enum SiteMode
{
    /// <summary>The site runs the agent and routes replies back into the tunnel: client addresses are preserved.</summary>
    Agent,

    /// <summary>The site runs plain WireGuard only: the hub masquerades forwarded traffic to it.</summary>
    Snat,
}

/// <summary>A site: a place that can serve, dialing out to every hub.</summary>
/// <param name="Priority">Higher wins (keepalived's sense of the word).</param>
/// <param name="Tunnel">The site's tunnel addresses (host addresses, no prefix), given or allocated from the hub's tunnel network.</param>
/// <param name="Interface">The WireGuard interface name on the site host; in a pair, the first hub's.</param>
/// <param name="PrivateKeyFile">Path of the site's private key (mode 0600); read only on the site itself.</param>
/// <param name="PersistentKeepalive">Seconds between keepalives, so NAT mappings stay open.</param>
public sealed record SiteNode(
    string Name,
    WireGuardKey PublicKey,
    int Priority,
    SiteMode Mode,
    TunnelAddresses Tunnel,
    string Interface,
    string PrivateKeyFile,
    int PersistentKeepalive)
{
    /// <summary>
    /// The site's WireGuard interface for each hub, by hub name: one interface per hub, each with that hub as
    /// its only peer. The loader fills it for every hub; a node built by hand may leave it empty.
    /// </summary>
    public IReadOnlyDictionary<string, string> Interfaces { get; init; } = HubInterfaceDictionary.Empty;

    /// <summary>Checks the site agent runs on the site each pass; any failing one makes its report unhealthy.</summary>
    public IReadOnlyList<LocalCheck> LocalChecks { get; init; } = [];

    /// <summary>The site's interface towards <paramref name="hub"/>; <see cref="Interface"/> when the map has no entry for it.</summary>
    public string InterfaceFor(HubNode hub) => Interfaces.TryGetValue(hub.Name, out var name) ? name : Interface;
}
