using Keepwire.Model;
using Keepwire.Reports;

namespace Keepwire.Site;

/// <summary>
/// The datagrams a site exchanges with its hubs through the tunnels, for one config snapshot: a report to every
/// hub (each hub decides on its own, so each needs the site's verdict) and, in a pair, the hub sync relay.
/// A reload replaces the whole set.
/// </summary>
public sealed class SiteUplinks : IDisposable
{
    private readonly IReadOnlyList<SiteReporter> _reporters;

    public SiteUplinks(ClusterConfig config, SiteNode site)
    {
        _reporters = [.. config.Hubs.Select(hub => new SiteReporter(site, hub))];
        if (config.HubPair is { } pair)
            Relay = new HubSyncRelay([.. site.Tunnel.All], [.. config.Hubs.SelectMany(hub => hub.Tunnel.All)], pair.SyncPort);
    }

    /// <summary>Null with one hub: there is nobody to relay between.</summary>
    public HubSyncRelay? Relay { get; }

    /// <summary>Sends the report to every hub and makes sure the relay listens; returns how many reports went out.</summary>
    public async Task<int> SendAsync(bool healthy, string reason, CancellationToken cancellationToken)
    {
        Relay?.EnsureListening();
        var sent = 0;
        foreach (var reporter in _reporters)
        {
            if (await reporter.SendAsync(healthy, reason, cancellationToken))
                sent++;
        }
        return sent;
    }

    public void Dispose()
    {
        foreach (var reporter in _reporters)
            reporter.Dispose();
        Relay?.Dispose();
    }
}
