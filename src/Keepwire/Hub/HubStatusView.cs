using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Engine;

namespace Keepwire.Hub;

/// <summary>The services and sites part of <c>keepwire status</c>, from the engine's decisions and the last WireGuard reading.</summary>
internal static class HubStatusView
{
    public static IReadOnlyList<ServiceStatus> Services(HubEngine engine) =>
        [.. engine.Config.Services.Select(service =>
        {
            var decider = engine.Find(service.Name)!;
            var decision = decider.Current;
            // An adopted decision's detail already names the hub it follows, which is also its note.
            var reason = decision.Note is null || decision.Detail.Contains(decision.Note, StringComparison.Ordinal) ? decision.Detail : $"{decision.Detail} ({decision.Note})";
            return new ServiceStatus(service.Name, decision.ServingSite, reason, decision.ServingSite is null ? null : decision.Since, decision.Epoch, decider.PinnedSite)
            {
                Sites = decider.SitesByPreference,
                Mode = service.Mode.ToString().ToLowerInvariant(),
                Addresses = service.IsRouted ? [.. service.RoutedPrefixes.Select(p => p.ToString())] : [.. service.Vips.Select(v => v.ToString())],
                Backend = decision.ServingSite is { } site ? service.BackendAt(site)?.ToString() : null,
            };
        })];

    public static IReadOnlyList<SiteStatus> Sites(HubEngine engine, WireGuardDeviceState? device, DateTimeOffset now) =>
        [.. engine.Config.Sites.Select(site =>
        {
            var peer = device?.FindPeer(site.PublicKey);
            var health = engine.Services
                .Where(d => d.SitesByPreference.Contains(site.Name))
                .Select(d => (d.Service, Health: d.Health.Evaluate(site.Name, now)))
                .ToList();
            var checks = health
                .SelectMany(h => h.Health.Checks.Select(c => new CheckStatus($"{h.Service}/{c.Check}", c.Stale ? "stale" : c.State.ToString().ToLowerInvariant(), c.LastDetail)))
                .ToList();
            return new SiteStatus(
                site.Name,
                site.Priority,
                site.Mode.ToString().ToLowerInvariant(),
                [.. site.Tunnel.All.Select(a => a.ToString())],
                peer?.Endpoint?.ToString(),
                peer?.LatestHandshake is { } handshake ? (now - handshake).TotalSeconds : null,
                engine.Intent.DrainedSites.Contains(site.Name),
                Summarize(health.Select(h => h.Health)),
                checks);
        })];

    /// <summary>Every site's health across its services as status summarises it (the worst of them); null for a site that serves no service.</summary>
    public static IEnumerable<(string Site, SiteHealth? Health)> SiteVerdicts(HubEngine engine, DateTimeOffset now) =>
        engine.Config.Sites.Select(site => (site.Name, Worst(engine.Services
            .Where(d => d.SitesByPreference.Contains(site.Name))
            .Select(d => d.Health.Evaluate(site.Name, now)))));

    /// <summary>One word for a site across its services: the worst of them, with the reason when not healthy.</summary>
    private static string Summarize(IEnumerable<SiteHealth> health) => Worst(health) switch
    {
        null => SiteStatus.NoServicesWords,
        { State: HealthState.Healthy } => SiteStatus.HealthyWord,
        var worst => $"{worst.State.ToString().ToLowerInvariant()}: {worst.Reason}",
    };

    private static SiteHealth? Worst(IEnumerable<SiteHealth> health)
    {
        var all = health.ToList();
        return all.FirstOrDefault(h => h.State == HealthState.Unhealthy) ?? all.FirstOrDefault(h => h.State == HealthState.Unknown) ?? all.FirstOrDefault();
    }

    /// <summary>Each site with its liveness stream's state, round-trip time and loss, where one runs.</summary>
    public static IReadOnlyList<SiteStatus> WithLiveness(IReadOnlyList<SiteStatus> sites, IReadOnlyList<Health.Liveness.LivenessStatus>? liveness)
    {
        if (liveness is null)
            return sites;
        var bySite = liveness.ToDictionary(l => l.Site, StringComparer.Ordinal);
        return [.. sites.Select(s => bySite.TryGetValue(s.Name, out var l)
            ? s with { Liveness = new SiteLiveness(l.State, l.SmoothedRtt is { } rtt ? Math.Round(rtt.TotalMilliseconds, 2) : null, Math.Round(l.Loss * 100, 2), l.Sent, l.Answered, l.Dropped) }
            : s)];
    }
}
