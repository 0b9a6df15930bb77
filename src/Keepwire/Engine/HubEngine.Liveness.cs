using Keepwire.Decisions;

namespace Keepwire.Engine;

/// <summary>
/// Site liveness, the cheapest evidence: one stream per site, not per service. A lost site (link cut, host dead,
/// tunnel dead) takes every service it may serve down in this one pass, so they switch together (one nft
/// transaction, one conntrack flush per site and family). Answering again does not bring it back by itself: the
/// loss took its checks down, and they must pass <c>rise</c> times (<see cref="HealthTracker.RecordLiveness"/>), so a
/// loss asks for the site's probes at the fast pace at once (<see cref="HubStep.ProbeNow"/>).
/// A loss judged while the hub itself stalled (<see cref="StallRule"/>) is inconclusive: the answers may be
/// unread in the socket; the stream repeats a loss every detection time, so the next judgement decides.
/// </summary>
public sealed partial class HubEngine
{
    private readonly HashSet<string> _lostSites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lostDetail = new(StringComparer.Ordinal);

    /// <summary>Liveness losses judged inconclusive since the engine started, for metrics.</summary>
    public long InconclusiveLiveness { get; private set; }

    /// <summary>The sites whose liveness is lost now, as the engine counted it.</summary>
    public IReadOnlyCollection<string> LostSites => _lostSites;

    private void ObserveLiveness(IReadOnlyList<LivenessObservation> observations, List<HubNote> notes, HashSet<string> probeNow)
    {
        foreach (var observation in observations)
        {
            var site = observation.Site;
            if (Config.FindSite(site) is null)
                continue;
            if (observation.Alive)
            {
                if (!_lostSites.Remove(site))
                    continue;
                _lostDetail.Remove(site);
                _decisions.RecordLiveness(site, null, observation.Time);
                notes.Add(new HubNote(observation.Time, HubNoteKind.LivenessRegained, [site], $"{site}: {observation.Detail}; its services return once their checks pass"));
                continue;
            }

            if (_lostSites.Contains(site))
                continue;
            if (StallRule.Inconclusive(observation.Time - observation.Window, observation.Time, observation.Window, _stalls) is { } stalled)
            {
                InconclusiveLiveness++;
                notes.Add(new HubNote(observation.Time, HubNoteKind.LivenessInconclusive, [site],
                    $"{site}: {observation.Detail}, but the hub stalled {HubNote.Milliseconds(stalled)} during it; not counted"));
                continue;
            }
            _lostSites.Add(site);
            _lostDetail[site] = observation.Detail;
            probeNow.Add(site);
            var services = _decisions.RecordLiveness(site, observation.Detail, observation.Time);
            notes.Add(new HubNote(observation.Time, HubNoteKind.LivenessLost, [site],
                $"{site}: {observation.Detail}; the {services} service(s) it may serve count it down"));
        }
    }
}
