using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Sync;

namespace Keepwire.Hub;

/// <summary>Takes the hub's events; must return at once (it is called from the hub's loop).</summary>
public interface IHubEventSink
{
    void Publish(HubEvent hubEvent);
}

/// <summary>
/// Turns what the hub's loop did into <see cref="HubEvent"/>s and hands them to the sinks (the notifier, the
/// dashboard), keeping the latest ones for a page that opens later. It only reads: a step's switches, the
/// health the engine tracks (as <c>keepwire status</c> shows it) and the pair role; it decides nothing and does
/// no I/O, so the loop pays a few comparisons for it. Site health is compared only when some tracker's revision
/// moved or the caller asks (a reconcile pass), not on every probe result.
/// </summary>
public sealed class HubEventFeed
{
    /// <summary>Events kept for a dashboard that opens later.</summary>
    public const int Kept = 200;

    private readonly Lock _gate = new();
    private readonly Queue<HubEvent> _recent = new();
    private readonly List<IHubEventSink> _sinks = [];
    private readonly Dictionary<string, HealthState> _siteStates = new(StringComparer.Ordinal);
    private long _healthRevision = -1;
    private PairRole? _role;

    public void Subscribe(IHubEventSink sink)
    {
        lock (_gate)
            _sinks.Add(sink);
    }

    public void Unsubscribe(IHubEventSink sink)
    {
        lock (_gate)
            _sinks.Remove(sink);
    }

    /// <summary>The latest events, oldest first.</summary>
    public IReadOnlyList<HubEvent> Recent()
    {
        lock (_gate)
            return [.. _recent];
    }

    /// <summary>After a step was carried out: its switches, this hub's role, and the sites whose health changed.</summary>
    /// <param name="appliedAt">When the forwarding table of the step was in the kernel: the end of a failover's duration.</param>
    /// <param name="checkSites">Compare site health even if no tracker's revision moved (verdicts also go stale with time).</param>
    public void Observe(HubEngine engine, HubStep step, DateTimeOffset appliedAt, bool checkSites)
    {
        foreach (var decision in step.Switched)
            Publish(Switch(engine, decision, appliedAt));
        if (step.Pair is { } pair)
            ObserveRole(engine.Hub.Name, pair.Role, step.At);
        ObserveSites(engine, step.At, checkSites);
    }

    /// <summary>A reload was refused; may be called from any thread.</summary>
    public void ReloadRejected(string hub, string configPath, string message, DateTimeOffset at)
    {
        // "reload rejected, …:" and then one error per line: one line, errors separated by "; ".
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var oneLine = lines.Length < 2 ? message.Trim() : $"{lines[0]} {string.Join("; ", lines.Skip(1))}";
        Publish(new HubEvent(HubEventKind.ReloadRejected, at, hub, oneLine.Length > 500 ? oneLine[..500] + "…" : oneLine)
        {
            Detail = $"{configPath}: {message}",
        });
    }

    private static HubEvent Switch(HubEngine engine, ServiceDecision decision, DateTimeOffset appliedAt)
    {
        var duration = FailoverDuration(engine, decision, appliedAt);
        var how = duration is { } d ? $"{Words(decision.Reason)} in {HubEvent.Seconds(d)}" : Words(decision.Reason);
        return new HubEvent(HubEventKind.Switch, appliedAt, engine.Hub.Name,
            $"{decision.Service}: {decision.PreviousSite ?? "(none)"} → {decision.ServingSite ?? "(none)"}, {how} ({decision.Detail})")
        {
            Service = decision.Service,
            From = decision.PreviousSite,
            To = decision.ServingSite,
            Reason = Words(decision.Reason),
            Planned = decision.Planned,
            Detail = decision.Detail,
            Duration = duration,
        };
    }

    /// <summary>
    /// From the first failed result of the checks that made the old site unhealthy (the earliest run of failures
    /// still going on) to <paramref name="appliedAt"/>; null for a planned switch, or when no failing check
    /// explains it (a stale handshake, the site agent's own report, a switch adopted from the other hub).
    /// </summary>
    private static TimeSpan? FailoverDuration(HubEngine engine, ServiceDecision decision, DateTimeOffset appliedAt)
    {
        if (decision.Planned || decision.PreviousSite is not { } left || engine.Find(decision.Service) is not { } decider
            || !decider.Health.Sites.Contains(left))
            return null;
        var first = decider.Health.Evaluate(left, appliedAt).Checks
            .Where(c => c.State == HealthState.Unhealthy && c.FailingSince is not null)
            .Select(c => c.FailingSince!.Value)
            .DefaultIfEmpty()
            .Min();
        return first == default || first > appliedAt ? null : appliedAt - first;
    }

    private void ObserveRole(string hub, PairRoleDecision role, DateTimeOffset at)
    {
        var before = _role;
        _role = role.Role;
        if (before is null || before == role.Role)
            return;
        var words = role.Role == PairRole.Decide ? "decides now" : "follows the other hub now";
        Publish(new HubEvent(HubEventKind.RoleChanged, at, hub, $"hub {hub} {words}: {role.Reason}")
        {
            Role = role.Role.ToString().ToLowerInvariant(),
            Detail = role.Reason,
        });
    }

    private void ObserveSites(HubEngine engine, DateTimeOffset now, bool force)
    {
        var revision = engine.Services.Sum(d => d.Health.Revision);
        if (!force && revision == _healthRevision)
            return;
        _healthRevision = revision;
        foreach (var (site, health) in HubStatusView.SiteVerdicts(engine, now))
        {
            if (health is null || health.State == HealthState.Unknown)
                continue;
            var known = _siteStates.TryGetValue(site, out var before);
            _siteStates[site] = health.State;
            // A site first seen healthy is no news; one first seen down is.
            if (known ? before == health.State : health.State == HealthState.Healthy)
                continue;
            Publish(health.State == HealthState.Unhealthy
                ? new HubEvent(HubEventKind.SiteDown, now, engine.Hub.Name, $"site {site} is down: {health.Reason}") { Site = site, Detail = health.Reason }
                : new HubEvent(HubEventKind.SiteUp, now, engine.Hub.Name, $"site {site} is up again") { Site = site });
        }
    }

    private void Publish(HubEvent hubEvent)
    {
        IHubEventSink[] sinks;
        lock (_gate)
        {
            _recent.Enqueue(hubEvent);
            while (_recent.Count > Kept)
                _recent.Dequeue();
            sinks = [.. _sinks];
        }

        foreach (var sink in sinks)
            sink.Publish(hubEvent);
    }

    private static string Words(DecisionReason reason) => reason switch
    {
        DecisionReason.LastResort => "last resort",
        _ => reason.ToString().ToLowerInvariant(),
    };
}
