using Keepwire.Model;

namespace Keepwire.Engine;

/// <summary>
/// Which probe results count: the hub's own stalls first (<see cref="StallRule"/>: a timeout that ran while the hub
/// did not is inconclusive), then failures of every site at once (<see cref="CorrelatedFailures"/>: the hub is
/// suspected first). What was not counted, and why, is noted for <c>keepwire events</c>.
/// </summary>
public sealed partial class HubEngine
{
    /// <summary>Notes kept for <c>keepwire events</c>.</summary>
    public const int NotesKept = 200;

    private readonly HubStalls _stalls = new();
    private readonly CorrelatedFailures _correlated = new();
    private readonly Queue<HubNote> _notes = new();
    private IReadOnlyCollection<string> _probedSites = [];

    /// <summary>What the engine noted about its evidence (results it did not count, and why), oldest first.</summary>
    public IReadOnlyList<HubNote> Notes() => [.. _notes];

    /// <summary>Probe results judged inconclusive since the engine started, for metrics.</summary>
    public long InconclusiveProbes { get; private set; }

    /// <summary>Every site some service checks: the sites whose failing all at once makes the hub the suspect.</summary>
    private static IReadOnlyCollection<string> ProbedSites(ClusterConfig config) =>
        [.. config.Sites.Select(s => s.Name).Where(site => config.Services.Any(s => s.Checks.Count > 0 && s.Sites.Contains(site)))];

    /// <summary>The probe results of <paramref name="evidence"/> that count now, in order; notes the others.</summary>
    private IReadOnlyList<ProbeObservation> CountedProbes(HubEvidence evidence, List<HubNote> notes)
    {
        var now = _time.GetUtcNow();
        _stalls.Forget(now);
        foreach (var stall in evidence.Stalls)
            _stalls.Add(stall);
        foreach (var probe in evidence.Probes)
        {
            if (StallRule.LateTimeout(probe) is { } late)
                _stalls.Add(late);
        }

        var counted = new List<ProbeObservation>(evidence.Probes.Count);
        var inconclusive = new List<(ProbeObservation Probe, TimeSpan Stalled)>();
        foreach (var probe in evidence.Probes)
        {
            if (StallRule.Inconclusive(probe, _stalls) is { } stalled)
            {
                inconclusive.Add((probe, stalled));
                // Not counted, but it shows the probes run: a hub that stalls through every probe for the check's
                // StaleAfter must not find its checks stale and count the sites failed (HubStallSimulation, seed 2110665282).
                _decisions.RecordInconclusive(probe);
            }
            else
                counted.Add(probe);
        }
        InconclusiveProbes += inconclusive.Count;
        foreach (var site in inconclusive.GroupBy(i => i.Probe.Result.Site, StringComparer.Ordinal))
            notes.Add(InconclusiveNote(now, site.Key, [.. site]));
        return _correlated.Admit(counted, _probedSites, now, notes);
    }

    /// <summary>"probe of alpha inconclusive: the hub stalled 420 ms during it (http check: timeout after 250 ms); not counted".</summary>
    private static HubNote InconclusiveNote(DateTimeOffset now, string site, IReadOnlyList<(ProbeObservation Probe, TimeSpan Stalled)> probes)
    {
        var longest = probes.Max(p => p.Stalled);
        var checks = string.Join(", ", probes.Select(p => $"{p.Probe.Result.Check} check: {p.Probe.Result.Detail}").Distinct(StringComparer.Ordinal));
        var what = probes.Count == 1 ? $"probe of {site} inconclusive: the hub stalled {HubNote.Milliseconds(longest)} during it"
            : $"{probes.Count} probes of {site} inconclusive: the hub stalled up to {HubNote.Milliseconds(longest)} during them";
        return new HubNote(now, HubNoteKind.ProbeInconclusive, [site], $"{what} ({checks}); not counted");
    }

    private void Remember(IReadOnlyList<HubNote> notes)
    {
        foreach (var note in notes)
        {
            _notes.Enqueue(note);
            if (_notes.Count > NotesKept)
                _notes.Dequeue();
        }
    }
}
