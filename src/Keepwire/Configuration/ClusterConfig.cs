namespace Keepwire.Configuration;

/// <summary>
/// The whole cluster as one validated, immutable snapshot. A reload builds a new
/// snapshot and swaps it in; nothing ever mutates one in place.
/// </summary>
/// <param name="SourcePath">The file it was read from, for messages.</param>
public sealed record ClusterConfig(
    string SourcePath,
    IReadOnlyList<HubNode> Hubs,
    IReadOnlyList<SiteNode> Sites,
    IReadOnlyList<ServiceConfig> Services)
{
    public HubNode? FindHub(string name) => Hubs.FirstOrDefault(h => h.Name == name);

    public SiteNode? FindSite(string name) => Sites.FirstOrDefault(s => s.Name == name);

    public ServiceConfig? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);
}
