using System.Net;

namespace Keepwire.Engine;

/// <summary>
/// Passive evidence, read from the traffic the hub already carries: a serving site that refuses a forwarded client
/// (a RST answering its SYN, port unreachable for its datagram; the table drops the refusal so the client retries)
/// is suspected for the services it serves on that port, and its next failing probe takes it down at once instead of
/// after <c>fall</c> failures in a row; the step asks for that probe at once (<see cref="HubStep.ProbeNow"/>). A refusal alone moves nothing, however many: one client can be refused for
/// its own reasons, and a flood of them must not move a service whose probes pass. Refusals come before the probes
/// of the same step, so a probe that failed after them confirms them.
/// </summary>
public sealed partial class HubEngine
{
    /// <summary>
    /// At most one note per site this often: a client refused again and again by a site whose probes pass would
    /// otherwise fill the notes every probe interval. The switch a refusal confirms names it in its own reason.
    /// </summary>
    private static readonly TimeSpan RefusalNoteInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, DateTimeOffset> _refusalNotedAt = new(StringComparer.Ordinal);

    /// <summary>Refusals read since the engine started, for metrics.</summary>
    public long Refusals { get; private set; }

    private void ObserveRefusals(IReadOnlyList<RefusedFlow> refusals, List<HubNote> notes, HashSet<string> probeNow)
    {
        foreach (var refusal in refusals)
        {
            Refusals++;
            if (SiteAt(refusal.Site) is not { } site)
                continue;
            var suspected = _decisions.RecordRefusal(site, refusal);
            if (suspected.Count > 0)
                probeNow.Add(site);
            if (suspected.Count > 0 && (!_refusalNotedAt.TryGetValue(site, out var noted) || refusal.At - noted >= RefusalNoteInterval))
            {
                _refusalNotedAt[site] = refusal.At;
                notes.Add(new HubNote(refusal.At, HubNoteKind.Refused, [site],
                    $"{site} refused a client on {refusal.Protocol.ToString().ToLowerInvariant()}/{refusal.Port} ({string.Join(", ", suspected)}); its next probe decides"));
            }
        }
    }

    /// <summary>
    /// The site that sent a refusal: a DNATed service's refusal comes from the site's tunnel address, a routed one's from
    /// the routed address itself, which only the serving site of its service answers for (WireGuard accepts packets
    /// from it only from that site's peer).
    /// </summary>
    private string? SiteAt(IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (Config.Sites.FirstOrDefault(s => normal.Equals(s.Tunnel.IPv4) || normal.Equals(s.Tunnel.IPv6)) is { } site)
            return site.Name;
        var routed = Config.Services.FirstOrDefault(s => s.IsRouted && s.RoutedPrefixes.Any(p => p.Contains(normal)));
        return routed is null ? null : _decisions.Find(routed.Name)?.Current.ServingSite;
    }
}
