using Keepwire.Decisions;

namespace Keepwire.Hub;

/// <summary>The hub's answer to <c>keepwire status</c>.</summary>
public sealed partial class HubDaemon
{
    internal async Task<HubStatus> StatusAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var device = await _wireGuard.ReadAsync(_hub.Interface, cancellationToken);
            var now = _time.GetUtcNow();
            var services = _config.Services.Select(service =>
            {
                var decision = _decisions.Find(service.Name)!.Current;
                // An adopted decision's detail already names the hub it follows, which is also its note.
                var reason = decision.Note is null || decision.Detail.Contains(decision.Note, StringComparison.Ordinal) ? decision.Detail : $"{decision.Detail} ({decision.Note})";
                return new ServiceStatus(service.Name, decision.ServingSite, reason, decision.ServingSite is null ? null : decision.Since, decision.Epoch)
                {
                    Sites = _decisions.Find(service.Name)!.SitesByPreference,
                };
            }).ToList();

            var sites = _config.Sites.Select(site =>
            {
                var peer = device?.FindPeer(site.PublicKey);
                var health = _decisions.All
                    .Where(d => d.SitesByPreference.Contains(site.Name))
                    .Select(d => (d.Service, Health: d.Health.Evaluate(site.Name, now)))
                    .ToList();
                var checks = health
                    .SelectMany(h => h.Health.Checks.Select(c => new CheckStatus($"{h.Service}/{c.Check}", c.State.ToString().ToLowerInvariant(), c.LastDetail)))
                    .ToList();
                return new SiteStatus(
                    site.Name,
                    site.Priority,
                    site.Mode.ToString().ToLowerInvariant(),
                    [.. site.Tunnel.All.Select(a => a.ToString())],
                    peer?.Endpoint?.ToString(),
                    peer?.LatestHandshake is { } handshake ? (now - handshake).TotalSeconds : null,
                    _intent.DrainedSites.Contains(site.Name),
                    Summarize(health.Select(h => h.Health)),
                    checks);
            }).ToList();

            return new HubStatus(_hub.Name, _options.ConfigPath, _configLoadedAt, _lastReconcileAt, _lastError, services, sites) { Pair = _pair?.Status() };
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>One word for a site across its services: the worst of them, with the reason when not healthy.</summary>
    private static string Summarize(IEnumerable<SiteHealth> health)
    {
        var all = health.ToList();
        if (all.Count == 0)
            return SiteStatus.NoServicesWords;
        var worst = all.FirstOrDefault(h => h.State == HealthState.Unhealthy) ?? all.FirstOrDefault(h => h.State == HealthState.Unknown) ?? all[0];
        return worst.State == HealthState.Healthy ? SiteStatus.HealthyWord : $"{worst.State.ToString().ToLowerInvariant()}: {worst.Reason}";
    }
}
