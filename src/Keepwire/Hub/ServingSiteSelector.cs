using Keepwire.Configuration;
using Keepwire.State;

namespace Keepwire.Hub;

/// <summary>
/// Manual ("cold standby") selection: the operator's pin if there is one, otherwise the
/// highest-priority site that is not drained. Ties go to the site declared first.
/// </summary>
public static class ServingSiteSelector
{
    public static (string? Site, string Reason) Select(ServiceConfig service, ClusterConfig config, OperatorIntent intent)
    {
        if (intent.PinnedSiteByService.TryGetValue(service.Name, out var pinned) && service.Sites.Contains(pinned))
            return (pinned, "pinned by operator");

        var best = config.Sites
            .Where(s => service.Sites.Contains(s.Name) && !intent.DrainedSites.Contains(s.Name))
            .OrderByDescending(s => s.Priority)
            .FirstOrDefault();
        return best is null ? (null, "no eligible site") : (best.Name, "highest priority");
    }
}
