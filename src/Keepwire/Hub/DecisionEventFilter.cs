using Keepwire.Decisions;
using Keepwire.Engine;

namespace Keepwire.Hub;

/// <summary>
/// What <c>keepwire events</c> shows of the decision history: one service's switches, those into or out of one
/// site, and only the newest <see cref="Limit"/> (0: all), oldest first. A thousand services keep up to a hundred
/// switches each; nobody reads a hundred thousand lines by default.
/// </summary>
public sealed record DecisionEventFilter(string? Service, string? Site, int Limit)
{
    public const int DefaultLimit = 50;

    /// <summary>The events to print, and how many matched before the limit cut them.</summary>
    public (IReadOnlyList<DecisionEvent> Shown, int Matching) Apply(IEnumerable<DecisionEvent> history)
    {
        var matching = history
            .Where(e => Service is null || e.Service == Service)
            .Where(e => Site is null || e.From == Site || e.To == Site)
            .OrderBy(e => e.Time)
            .ToList();
        var shown = Limit > 0 && matching.Count > Limit ? matching[^Limit..] : matching;
        return (shown, matching.Count);
    }

    /// <summary>The hub's notes on its evidence that go with the switches shown: those about <see cref="Site"/> if one is asked for, the newest <see cref="Limit"/>.</summary>
    public IReadOnlyList<HubNote> ApplyNotes(IEnumerable<HubNote> notes)
    {
        var matching = notes.Where(n => Site is null || n.Sites.Contains(Site)).OrderBy(n => n.Time).ToList();
        return Limit > 0 && matching.Count > Limit ? matching[^Limit..] : matching;
    }
}
