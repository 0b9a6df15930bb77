using System.Net;
using Keepwire.Adapters.Conntrack;

namespace Keepwire.Reconciliation;

/// <summary>
/// Turns the flows a pass must delete into as few conntrack runs as possible. Every <c>conntrack -D</c>
/// walks the whole table, so a site that dies under hundreds of services must not cost one walk per
/// service: with more than <see cref="DirectDeleteLimit"/> deletes for one site and family, the flows
/// replying from the site are listed once, and each VIP and protocol with doomed flows is deleted in
/// one run (by port only when another service's flows share that VIP and protocol at that site, such as
/// a planned move's flows still finishing). Pure: the worker runs the listing and the deletes.
/// </summary>
public static class FlowFlushPlanner
{
    /// <summary>
    /// Up to this many direct deletes for one site and family cost no more than a listing and its deletes
    /// (a single switched service is one or two): they run as they are, with no listing first.
    /// </summary>
    public const int DirectDeleteLimit = 2;

    /// <summary>
    /// The selectors of one site and family, to run directly, or null when listing that site's flows first
    /// is cheaper (more than <see cref="DirectDeleteLimit"/> deletes, or a port range, which conntrack cannot filter).
    /// </summary>
    public static IReadOnlyList<FlowSelector>? Direct(IReadOnlyList<FlowSelector> doomed) =>
        doomed.Count <= DirectDeleteLimit && doomed.All(s => !s.IsRange) ? doomed : null;

    /// <summary>
    /// The deletes that remove exactly the listed flows <paramref name="doomed"/> selects, all replying from
    /// <paramref name="site"/>: one per VIP and protocol whose listed flows are all doomed, else one per doomed port.
    /// </summary>
    public static IReadOnlyList<FlowSelector> Deletes(IReadOnlyList<FlowSelector> doomed, IReadOnlyList<TrackedFlow> listed, IPAddress site)
    {
        var deletes = new List<FlowSelector>();
        foreach (var group in listed.GroupBy(f => (f.Destination, f.Protocol)).OrderBy(g => g.Key.Destination.ToString(), StringComparer.Ordinal).ThenBy(g => g.Key.Protocol))
        {
            var (vip, protocol) = group.Key;
            var selectors = doomed.Where(s => s.Vip.Equals(vip) && s.Protocol == protocol && s.Site.Equals(site)).ToList();
            if (selectors.Count == 0)
                continue;
            var doomedPorts = group.Select(f => f.DestinationPort).Where(port => selectors.Any(s => Covers(s, port))).Distinct().Order().ToList();
            if (doomedPorts.Count == 0)
                continue;
            if (group.All(f => doomedPorts.Contains(f.DestinationPort)))
                deletes.Add(new FlowSelector(vip, protocol, site));
            else
                deletes.AddRange(doomedPorts.Select(port => new FlowSelector(vip, protocol, site, port, port)));
        }
        return deletes;
    }

    private static bool Covers(FlowSelector selector, int port) =>
        selector.FirstPort is not { } first || (port >= first && port <= selector.LastPort);
}
