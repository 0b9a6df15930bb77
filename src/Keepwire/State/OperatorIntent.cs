namespace Keepwire.State;

/// <summary>
/// What operators asked for by hand, which must survive a daemon restart: services pinned to a
/// site (<c>keepwire failover SERVICE --to SITE</c>) and sites in maintenance (<c>keepwire drain SITE</c>).
/// </summary>
public sealed record OperatorIntent(
    IReadOnlyDictionary<string, string> PinnedSiteByService,
    IReadOnlyList<string> DrainedSites)
{
    public static readonly OperatorIntent None = new(new Dictionary<string, string>(), []);

    public OperatorIntent WithPin(string service, string site)
    {
        var pins = new Dictionary<string, string>(PinnedSiteByService) { [service] = site };
        return this with { PinnedSiteByService = pins };
    }

    public OperatorIntent WithoutPin(string service)
    {
        if (!PinnedSiteByService.ContainsKey(service))
            return this;
        var pins = new Dictionary<string, string>(PinnedSiteByService);
        pins.Remove(service);
        return this with { PinnedSiteByService = pins };
    }

    /// <summary>Same pins and drains, whatever the order: records compare their collections by reference.</summary>
    public bool SameAs(OperatorIntent other) =>
        DrainedSites.ToHashSet().SetEquals(other.DrainedSites)
        && PinnedSiteByService.Count == other.PinnedSiteByService.Count
        && PinnedSiteByService.All(p => other.PinnedSiteByService.TryGetValue(p.Key, out var site) && site == p.Value);

    public OperatorIntent WithDrain(string site, bool drained)
    {
        var sites = DrainedSites.Where(s => s != site).ToList();
        if (drained)
            sites.Add(site);
        return this with { DrainedSites = sites };
    }
}
