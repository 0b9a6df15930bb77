using Keepwire.Configuration.Parsing;

namespace Keepwire.Hub;

/// <summary>
/// What <c>keepwire status</c> narrows a hub's status to, so a hub with a thousand services answers a question
/// in a screenful: named services (with the sites that may serve them, and only their checks), the services a
/// site may serve (with that site), or only what is not as it should be (services off their first-choice site,
/// sites drained or with checks that do not pass). Filters combine; none keeps everything.
/// </summary>
public sealed record HubStatusFilter(IReadOnlyList<string> Services, string? Site, bool ProblemsOnly)
{
    public static readonly HubStatusFilter None = new([], null, false);

    public bool IsEmpty => Services.Count == 0 && Site is null && !ProblemsOnly;

    /// <summary>Every name the filter asks for that <paramref name="status"/> does not know, as sentences.</summary>
    public IReadOnlyList<string> Unknown(HubStatus status)
    {
        var problems = Services
            .Where(name => status.Services.All(s => s.Name != name))
            .Select(name => $"no service '{name}'{Suggest(name, status.Services.Select(s => s.Name))}")
            .ToList();
        if (Site is { } site && status.Sites.All(s => s.Name != site))
            problems.Add($"no site '{site}'{Suggest(site, status.Sites.Select(s => s.Name))}");
        return problems;
    }

    public HubStatus Apply(HubStatus status)
    {
        if (IsEmpty)
            return status;
        var services = status.Services
            .Where(s => Services.Count == 0 || Services.Contains(s.Name))
            .Where(s => Site is null || s.Sites.Contains(Site))
            .Where(s => !ProblemsOnly || s.IsOffFirstChoice)
            .ToList();
        var named = Services.Count > 0 ? services.Select(s => s.Name).ToHashSet() : null;
        var sites = status.Sites
            .Where(site => KeepsSite(site, services))
            .Select(site => named is null ? site : site with { Checks = [.. site.Checks.Where(c => named.Contains(c.Service))] })
            .ToList();
        return status with { Services = services, Sites = sites };
    }

    private bool KeepsSite(SiteStatus site, IReadOnlyList<ServiceStatus> services)
    {
        if (Site is not null)
            return site.Name == Site;
        if (Services.Count > 0)
            return services.Any(s => s.Sites.Contains(site.Name));
        return !ProblemsOnly || site.IsTroubled;
    }

    private static string Suggest(string name, IEnumerable<string> known) =>
        KeySuggestions.Closest(name, known) is { } close ? $" (did you mean '{close}'?)" : "";
}

/// <summary>A hub's status in numbers, for the summary <c>keepwire status</c> prints when listing every service would not fit a screen.</summary>
/// <param name="ServingBySite">How many services each site serves now.</param>
public sealed record HubStatusSummary(int Services, int OnFirstChoice, int Elsewhere, int Unserved, IReadOnlyDictionary<string, int> ServingBySite)
{
    public static HubStatusSummary Of(HubStatus status)
    {
        var unserved = status.Services.Count(s => s.ServingSite is null);
        var elsewhere = status.Services.Count(s => s.ServingSite is not null && s.IsOffFirstChoice);
        var bySite = status.Sites.ToDictionary(s => s.Name, _ => 0);
        foreach (var service in status.Services)
        {
            if (service.ServingSite is { } site)
                bySite[site] = bySite.GetValueOrDefault(site) + 1;
        }
        return new HubStatusSummary(status.Services.Count, status.Services.Count - elsewhere - unserved, elsewhere, unserved, bySite);
    }
}
