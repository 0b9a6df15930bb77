using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Reports;

namespace Keepwire.Site;

/// <summary>
/// The datagrams a site exchanges with its hubs through the tunnels, for one config snapshot: a report to every
/// hub (each hub decides on its own, so each needs the site's verdict, signed for it) and, in a pair, the hub
/// sync relay. A reload replaces the whole set.
/// </summary>
public sealed class SiteUplinks(ClusterConfig config, SiteNode site, TimeProvider time) : IDisposable
{
    private IReadOnlyList<SiteReporter>? _reporters;

    /// <summary>Null with one hub: there is nobody to relay between.</summary>
    public HubSyncRelay? Relay { get; } = config.HubPair is { } pair
        ? new HubSyncRelay([.. site.Tunnel.All], [.. config.Hubs.SelectMany(hub => hub.Tunnel.All)], pair.SyncPort)
        : null;

    /// <summary>Sends the report to every hub and makes sure the relay listens; returns how many reports went out.</summary>
    /// <exception cref="KeyFileException">The site's key file cannot be read, so reports cannot be signed; retried on the next call.</exception>
    public async Task<int> SendAsync(bool healthy, string reason, CancellationToken cancellationToken)
    {
        Relay?.EnsureListening();
        _reporters ??= CreateReporters();
        var sent = 0;
        foreach (var reporter in _reporters)
        {
            if (await reporter.SendAsync(healthy, reason, cancellationToken))
                sent++;
        }
        return sent;
    }

    private SiteReporter[] CreateReporters()
    {
        var key = KeyFile.ReadPrivateKey(site.PrivateKeyFile, site.PublicKey);
        return [.. config.Hubs.Select(hub => new SiteReporter(site, hub, key, time))];
    }

    public void Dispose()
    {
        foreach (var reporter in _reporters ?? [])
            reporter.Dispose();
        Relay?.Dispose();
    }
}
