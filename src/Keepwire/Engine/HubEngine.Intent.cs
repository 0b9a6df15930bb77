using Keepwire.Decisions;
using Keepwire.State;

namespace Keepwire.Engine;

/// <summary>
/// The operator's intent: pins and drains. Commands and the leading hub change <see cref="Intent"/>, the
/// desired state; <see cref="ConvergeIntent"/> then makes every decider's pin and drains match it. That is
/// the only place intent reaches the decisions, level-triggered, whatever changed it: a command, the
/// leader's message, a restart or a reload.
/// </summary>
public sealed partial class HubEngine
{
    private OperatorIntent _intent;

    /// <summary>The pins and drains in force, as saved in <c>intent.json</c> and sent to the peer hub.</summary>
    public OperatorIntent Intent => _intent;

    /// <summary>
    /// Checks a command and changes the intent; the answer is written after the step has decided. An accepted command
    /// makes the intent the newest either hub has seen (<see cref="OperatorIntent.Revision"/>), even when it changed
    /// nothing here: the operator's last word is what the pair keeps.
    /// </summary>
    private AcceptedCommand Accept(OperatorCommand command)
    {
        if (RefuseWhileFollowing() is { } refused)
            return new AcceptedCommand(command, refused, false, null);
        var accepted = command switch
        {
            OperatorCommand.Pin pin => AcceptPin(pin),
            OperatorCommand.Unpin unpin => AcceptUnpin(unpin),
            OperatorCommand.Drain drain => AcceptDrain(drain),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown operator command"),
        };
        if (accepted.Refusal is null)
            _intent = _intent.RevisedAbove(_pair?.View.Latest?.Message.Intent.Revision ?? 0);
        return accepted;
    }

    private AcceptedCommand AcceptPin(OperatorCommand.Pin pin)
    {
        if (KnownService(pin.Service) is { } unknown)
            return new AcceptedCommand(pin, unknown, false, null);
        var decider = _decisions.Find(pin.Service)!;
        if (!decider.SitesByPreference.Contains(pin.Site))
            return new AcceptedCommand(pin, $"site '{pin.Site}' may not serve {pin.Service} (its sites: {string.Join(", ", decider.SitesByPreference)})", false, null);
        var before = decider.Current.ServingSite;
        _intent = _intent.WithPin(pin.Service, pin.Site);
        // Pinning again acts at once too, even when the pinned site is still waiting out its preempt delay.
        ConvergeIntent(freshPins: [pin.Service]);
        return new AcceptedCommand(pin, null, true, before);
    }

    private AcceptedCommand AcceptUnpin(OperatorCommand.Unpin unpin)
    {
        if (KnownService(unpin.Service) is { } unknown)
            return new AcceptedCommand(unpin, unknown, false, null);
        var before = _decisions.Find(unpin.Service)!.Current.ServingSite;
        var pinned = _intent.PinnedSiteByService.ContainsKey(unpin.Service);
        _intent = _intent.WithoutPin(unpin.Service);
        ConvergeIntent(freshPins: []);
        return new AcceptedCommand(unpin, null, pinned, before);
    }

    private AcceptedCommand AcceptDrain(OperatorCommand.Drain drain)
    {
        if (Config.FindSite(drain.Site) is null)
            return new AcceptedCommand(drain, $"unknown site '{drain.Site}' (known: {string.Join(", ", Config.Sites.Select(s => s.Name))})", false, null);
        var changed = _intent.DrainedSites.Contains(drain.Site) != drain.Drained;
        _intent = _intent.WithDrain(drain.Site, drain.Drained);
        ConvergeIntent(freshPins: []);
        return new AcceptedCommand(drain, null, changed, null);
    }

    /// <summary>What a command did, in words, once the step has decided.</summary>
    private CommandOutcome Answer(AcceptedCommand accepted, IReadOnlyList<ServiceDecision> switched) =>
        accepted.Refusal is { } refusal ? CommandOutcome.Refused(refusal)
        : accepted.Command switch
        {
            OperatorCommand.Pin pin => CommandOutcome.Done(PinAnswer(pin, accepted.ServingBefore)),
            OperatorCommand.Unpin unpin => CommandOutcome.Done(UnpinAnswer(unpin, accepted.ChangedIntent, accepted.ServingBefore)),
            OperatorCommand.Drain drain => CommandOutcome.Done(DrainAnswer(drain, switched)),
            _ => throw new ArgumentOutOfRangeException(nameof(accepted), accepted.Command, "unknown operator command"),
        };

    private string PinAnswer(OperatorCommand.Pin pin, string? before)
    {
        var decider = _decisions.Find(pin.Service)!;
        var to = decider.Current.ServingSite;
        return to != pin.Site ? $"{pin.Service}: pinned to {pin.Site}, but it is not eligible now ({decider.Health.Evaluate(pin.Site, _time.GetUtcNow()).Reason}); {to ?? "no site"} serves until it is"
            : before == pin.Site ? $"{pin.Service}: pinned to {pin.Site}, which already serves it"
            : $"{pin.Service}: {before ?? "none"} → {pin.Site} (pinned by operator; existing connections finish where they are)";
    }

    private string UnpinAnswer(OperatorCommand.Unpin unpin, bool wasPinned, string? before)
    {
        var current = _decisions.Find(unpin.Service)!.Current;
        var what = wasPinned ? $"{unpin.Service}: unpinned, its policy decides again" : $"{unpin.Service} was not pinned";
        return current.ServingSite != before
            ? $"{what}; {before ?? "none"} → {current.ServingSite ?? "none"} ({current.Detail})"
            : $"{what}; {current.ServingSite ?? "no site"} serves{(current.Note is { } note ? $" ({note})" : "")}";
    }

    private static string DrainAnswer(OperatorCommand.Drain drain, IReadOnlyList<ServiceDecision> switched)
    {
        var verb = drain.Drained ? "drained" : "undrained";
        var moved = switched.Select(d => $"{d.Service}: {d.PreviousSite ?? "none"} → {d.ServingSite ?? "none"}").ToList();
        return moved.Count == 0
            ? $"{drain.Site} {verb}; no service moved"
            : $"{drain.Site} {verb}; {string.Join("; ", moved)} (existing connections finish where they are)";
    }

    /// <summary>
    /// Makes every decider's drains and pin match <see cref="Intent"/>; touches only what differs, so running it
    /// twice changes nothing. A pin in <paramref name="freshPins"/> acts at once (the operator just asked, or a
    /// restart or reload restores it); any other changed pin came from the leading hub, which acted on it already,
    /// so a pinned site that is not serving returns only after the preempt delay, as it would there.
    /// </summary>
    private void ConvergeIntent(HashSet<string> freshPins)
    {
        foreach (var decider in _decisions.All)
        {
            var changed = false;
            foreach (var site in decider.SitesByPreference)
            {
                var drained = _intent.DrainedSites.Contains(site);
                if (drained == decider.Health.IsInMaintenance(site))
                    continue;
                if (drained)
                    decider.Drain(site);
                else
                    decider.Undrain(site);
                changed = true;
            }

            // A pin on a site the config no longer lets serve the service is kept in the intent but not applied.
            var pin = _intent.PinnedSiteByService.GetValueOrDefault(decider.Service);
            if (pin is not null && !decider.SitesByPreference.Contains(pin))
                pin = null;
            var fresh = pin is not null && freshPins.Contains(decider.Service);
            if (pin != decider.PinnedSite || fresh)
            {
                if (pin is null)
                    decider.Unpin();
                else if (fresh)
                    decider.Pin(pin);
                else
                    decider.AdoptPin(pin);
                changed = true;
            }

            if (changed)
                _decisions.Touch(decider);
        }
    }

    /// <summary>
    /// Takes the peer hub's intent as this hub's own when it is newer: a higher revision, or the same one from the
    /// hub this one follows. So a follower takes what the leader acted on (no pin of it is fresh), and a deciding hub
    /// takes a command the peer accepted while the pair was cut, which it has not acted on yet (its changed pins are
    /// fresh: the operator asked for them). The other hub, hearing this one's intent, then takes it in turn.
    /// </summary>
    private void AdoptIntent(OperatorIntent peer, bool peerLeads)
    {
        var newer = peer.Revision > _intent.Revision || (peer.Revision == _intent.Revision && peerLeads);
        if (!newer || peer.SameAs(_intent))
            return;
        var changedPins = peerLeads ? [] : ChangedPins(_intent, peer);
        _intent = peer;
        ConvergeIntent(changedPins);
    }

    private static HashSet<string> ChangedPins(OperatorIntent before, OperatorIntent after) =>
        [.. after.PinnedSiteByService.Where(pin => before.PinnedSiteByService.GetValueOrDefault(pin.Key) != pin.Value).Select(pin => pin.Key)];

    private HashSet<string> PinnedServices() => [.. _intent.PinnedSiteByService.Keys];

    private string? KnownService(string service) =>
        _decisions.Find(service) is null ? $"unknown service '{service}' (known: {string.Join(", ", Config.Services.Select(s => s.Name))})" : null;

    /// <param name="Refusal">Why the command was refused, or null.</param>
    /// <param name="ChangedIntent">The intent changed (save it).</param>
    /// <param name="ServingBefore">The service's serving site before a pin or unpin, for the answer.</param>
    private sealed record AcceptedCommand(OperatorCommand Command, string? Refusal, bool ChangedIntent, string? ServingBefore);
}
