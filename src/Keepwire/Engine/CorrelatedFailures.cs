namespace Keepwire.Engine;

/// <summary>
/// When every probed site (at least two) fails in one step and none passes, the likelier cause is the one thing they
/// share: the hub, or its uplink. Those failures are held back instead of counted, and the next step with probe
/// results decides: if nothing passes in it either, the held failures count (before that step's, in their order);
/// if any probe passes, the hub could reach a site after all, and the held failures are dropped. So a hub hiccup
/// that fails every site at once moves no service, and a real outage of every site is counted one round later.
/// Pure: the engine hands it the counted results of each step (those <see cref="StallRule"/> left).
/// </summary>
internal sealed class CorrelatedFailures
{
    private IReadOnlyList<ProbeObservation>? _held;

    /// <summary>Failures held back, waiting for the next round.</summary>
    public bool Holding => _held is not null;

    /// <summary>Forget what is held (a reload: the sites may differ).</summary>
    public void Clear() => _held = null;

    /// <summary>The results of this step to count now, in order; notes what it held, confirmed or dropped.</summary>
    /// <param name="probedSites">Every site some service checks.</param>
    public IReadOnlyList<ProbeObservation> Admit(IReadOnlyList<ProbeObservation> counted, IReadOnlyCollection<string> probedSites, DateTimeOffset now, List<HubNote> notes)
    {
        if (counted.Count == 0)
            return counted;
        var passed = counted.Where(p => p.Result.Success).Select(p => p.Result.Site).Distinct(StringComparer.Ordinal).ToList();
        if (_held is { } held)
        {
            _held = null;
            var heldSites = Sites(held);
            if (passed.Count == 0)
            {
                notes.Add(new HubNote(now, HubNoteKind.SuspicionConfirmed, heldSites,
                    $"sites still failing in the next round: the failures of every site at once ({string.Join(", ", heldSites)}) count"));
                return [.. held, .. counted];
            }
            notes.Add(new HubNote(now, HubNoteKind.SuspicionCleared, heldSites,
                $"{string.Join(", ", passed)} answered in the next round: the failures of every site at once ({string.Join(", ", heldSites)}) were the hub's, not counted"));
            return counted;
        }

        if (passed.Count == 0 && probedSites.Count >= 2)
        {
            var failed = Sites(counted);
            if (probedSites.All(s => failed.Contains(s, StringComparer.Ordinal)))
            {
                _held = counted;
                notes.Add(new HubNote(now, HubNoteKind.HubSuspected, failed,
                    $"every site failed at once ({string.Join(", ", failed)}): suspecting the hub or its uplink first; not counted unless the next round fails too"));
                return [];
            }
        }
        return counted;
    }

    private static List<string> Sites(IEnumerable<ProbeObservation> probes) =>
        [.. probes.Select(p => p.Result.Site).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
