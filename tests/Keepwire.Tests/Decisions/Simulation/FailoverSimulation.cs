using System.Net;
using System.Text;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.State;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>
/// Runs one <see cref="SimScenario"/> as a discrete-event simulation on a fake clock: probes run
/// against the scheduled truth exactly as the real scheduler would (one every interval, overlapping
/// when they take longer, a beat skipped at <see cref="CheckDefinition.MaxProbesInFlight"/>, results
/// reported in start order), every result is a step of the hub's real <see cref="HubEngine"/>, which also
/// steps at every wake-up it asks for, operator actions are its commands, a restart builds a new engine from
/// the journal and intent the steps said to save, and the invariants are checked after every step.
/// A manual service is held to its own invariants instead: it switches only on an operator action
/// (pin, unpin, drain, undrain) or for its very first choice, always planned, never automatic, and
/// always to the site a small reference model of the manual rules names.
/// </summary>
internal sealed class FailoverSimulation
{
    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SimScenario scenario;
    private readonly Random probeLuck;
    private readonly FakeTimeProvider clock = new(Origin);
    private readonly PriorityQueue<Action, (long Ticks, long Sequence)> queue = new();
    private readonly Dictionary<string, SiteTruth> truth = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<PendingProbe>> unreported = new(StringComparer.Ordinal);
    private readonly HashSet<DateTimeOffset> scheduledRechecks = [];
    private readonly List<string> trace = [];
    private readonly ClusterConfig config;
    private HubEngine engine;
    private IReadOnlyDictionary<string, DecisionRecord> journal = new Dictionary<string, DecisionRecord>();
    private OperatorIntent intent = OperatorIntent.None;
    private long sequence;
    private string? lastServing;
    private long lastEpoch;
    private DateTimeOffset? lastAutomaticSwitchSeen;
    private string? pinnedSite;

    /// <summary>The decision being checked follows an operator action (or a restart, which replays them).</summary>
    private bool operatorActed;
    private string? violation;

    public FailoverSimulation(SimScenario scenario)
    {
        this.scenario = scenario;
        probeLuck = new Random(unchecked((scenario.Seed * 7919) + 17));
        var nodes = scenario.Sites.Select(s => DeciderHarness.Node(s.Name, s.Priority)).Append(DeciderHarness.Node(SimScenario.LastResortSite, 1)).ToList();
        var service = new ServiceConfig("web", [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], [.. scenario.Sites.Select(s => s.Name)])
        {
            Policy = scenario.ServicePolicy,
            Failover = scenario.Policy,
            Checks = [scenario.Check],
        };
        config = new ClusterConfig("sim.yaml", [DeciderHarness.Hub()], nodes, [service]);
        foreach (var (site, _) in scenario.Sites)
        {
            truth[site] = new SiteTruth();
            unreported[site] = new Queue<PendingProbe>();
        }

        engine = NewEngine();
    }

    public int Decisions { get; private set; }

    public IReadOnlyList<string> Trace => trace;

    private TimeSpan Detection => scenario.Check.DetectionBound;

    private TimeSpan Recovery => scenario.Check.RecoveryBound;

    private DateTimeOffset Now => clock.GetUtcNow();

    private bool IsManual => scenario.ServicePolicy == ServicePolicy.Manual;

    private ServiceDecider Decider => engine.Find("web")!;

    /// <summary>Runs to the end; returns the first invariant violation, or null.</summary>
    public string? Run()
    {
        foreach (var e in scenario.Events)
            At(Origin + e.At, () => Apply(e));
        var luck = new Random(scenario.Seed);
        foreach (var (site, _) in scenario.Sites)
            At(Origin + TimeSpan.FromMilliseconds(luck.Next((int)scenario.Check.Interval.TotalMilliseconds)), () => StartProbe(site));
        if (IsManual)
            At(Origin, () => StepAndCheck(HubEvidence.None)); // the hub decides at startup; a manual service needs no results for it

        var end = Origin + scenario.Duration;
        while (violation is null && queue.TryDequeue(out var action, out var when) && when.Ticks <= end.UtcTicks)
        {
            if (when.Ticks > Now.UtcTicks)
                clock.SetUtcNow(new DateTimeOffset(when.Ticks, TimeSpan.Zero));
            action();
        }

        return violation;
    }

    private void At(DateTimeOffset time, Action action) => queue.Enqueue(action, (time.UtcTicks, sequence++));

    private HubEngine NewEngine() => new(config, config.Hubs[0], intent, journal, clock);

    private void Apply(SimEvent e)
    {
        switch (e)
        {
            case FaultEvent f:
                var site = truth[f.Site];
                var wasDown = site.IsDown;
                var wasUp = site.Fault == Fault.Up;
                site.Fault = f.Fault;
                site.Loss = f.Loss;
                if (site.IsDown && !wasDown)
                    site.DownSince = Now;
                if (site.Fault == Fault.Up && !wasUp)
                    site.UpSince = Now;
                Log($"{f.Site} is now {f.Fault}");
                return;
            case DrainEvent d:
                truth[d.Site].Drained = d.Drain;
                if (!d.Drain)
                    truth[d.Site].UndrainedAt = Now;
                Log($"operator {(d.Drain ? "drains" : "undrains")} {d.Site}");
                OperatorStepAndCheck(new OperatorCommand.Drain(d.Site, d.Drain));
                return;
            case PinEvent p:
                pinnedSite = p.Site;
                Log(p.Site is null ? "operator unpins" : $"operator pins to {p.Site}");
                OperatorStepAndCheck(p.Site is { } pin ? new OperatorCommand.Pin("web", pin) : new OperatorCommand.Unpin("web"));
                return;
            case RestartEvent:
                // What survives a restart is what the steps said to save: the journal and the intent.
                var saved = journal.GetValueOrDefault("web");
                engine = NewEngine();
                Log($"daemon restarts, restoring {saved?.ServingSite ?? "(none)"} epoch {saved?.Epoch ?? 0}");
                lastServing = Decider.Current.ServingSite;
                lastEpoch = Decider.Current.Epoch;
                OperatorStepAndCheck(null);
                return;
        }
    }

    private void StartProbe(string site)
    {
        At(Now + scenario.Check.Interval, () => StartProbe(site));
        var pending = unreported[site];
        if (pending.Count >= scenario.Check.MaxProbesInFlight)
        {
            Log($"{site}: probe skipped, {pending.Count} unreported");
            return;
        }

        var state = truth[site];
        var timeout = scenario.Check.Timeout;
        var fast = TimeSpan.FromMilliseconds(1 + probeLuck.Next(Math.Min(30, (int)timeout.TotalMilliseconds)));
        var (success, duration, detail) = state.Fault switch
        {
            Fault.Up => (true, fast, "status 200"),
            Fault.Refused => (false, TimeSpan.FromMilliseconds(1), "connection refused"),
            Fault.Blackhole => (false, timeout, $"timeout after {timeout.TotalMilliseconds} ms"),
            _ => probeLuck.NextDouble() < state.Loss ? (false, timeout, $"timeout after {timeout.TotalMilliseconds} ms") : (true, fast, "status 200"),
        };
        var probe = new PendingProbe(success, detail);
        pending.Enqueue(probe);
        At(Now + duration, () =>
        {
            probe.Done = true;
            // Like the scheduler: a finished probe is reported once every probe started before it is.
            while (pending.TryPeek(out var head) && head.Done)
            {
                pending.Dequeue();
                StepAndCheck(new HubEvidence { Probes = [ProbeObservation.For("web", new CheckResult(site, scenario.Check.Name, Now, head.Success, head.Detail))] });
            }
        });
    }

    private void OperatorStepAndCheck(OperatorCommand? command)
    {
        operatorActed = true;
        StepAndCheck(new HubEvidence { Commands = command is null ? [] : [command] });
        operatorActed = false;
    }

    /// <summary>One step of the engine, as the daemon's loop takes it, then the invariants.</summary>
    private void StepAndCheck(HubEvidence evidence)
    {
        var step = engine.Step(evidence);
        if (step.Answers.FirstOrDefault(a => !a.Ok) is { } refused)
            Fail($"the engine refused an operator command: {refused.Message}");
        journal = step.Journal?.ToDictionary(r => r.Service) ?? journal;
        intent = step.Intent ?? intent;
        var decision = Decider.Current;
        Decisions++;
        // The hub loop sleeps until this time: one not after now would wake it at once, pass after pass.
        if (step.NextWakeUp is { } due && due <= Now)
            Fail($"the step asks to be woken at {due:HH:mm:ss.fff}, not after now: the loop would spin");
        if (step.NextWakeUp is { } recheck && recheck > Now && scheduledRechecks.Add(recheck))
            At(recheck, () => StepAndCheck(HubEvidence.None));
        if (IsManual)
            CheckManual(decision);
        if (decision.ServingSite != lastServing || decision.Epoch != lastEpoch)
            CheckSwitch(decision);
        if (!IsManual)
            CheckState(decision);
        lastServing = decision.ServingSite;
        lastEpoch = decision.Epoch;
    }

    /// <summary>Invariants of a manual service, checked after every decision (before lastServing moves on).</summary>
    private void CheckManual(ServiceDecision decision)
    {
        var switched = decision.ServingSite != lastServing;
        var firstChoice = lastServing is null && Decider.History.Count == 1;
        if (switched && !operatorActed && !firstChoice)
            Fail($"manual service switched {lastServing ?? "(none)"} → {decision.ServingSite ?? "(none)"} without an operator action ({decision.Reason}: {decision.Detail})");
        if (switched && (!decision.Planned || decision.Automatic))
            Fail($"a manual switch must be planned and not automatic: planned {decision.Planned}, automatic {decision.Automatic}");
        if (decision.RecheckAt is not null)
            Fail($"a manual service never asks for a recheck (asked for {Clock(decision.RecheckAt.Value)})");
        if (ManualModel(lastServing) is var expected && decision.ServingSite != expected)
            Fail($"manual rules say {expected ?? "(none)"} serves (was {lastServing ?? "(none)"}, pin {pinnedSite ?? "(none)"}), the Decider says {decision.ServingSite ?? "(none)"}");
    }

    /// <summary>
    /// The manual rules, from the operator's state alone (never health): a pinned site that is not
    /// drained serves; a drained or missing serving site gives way to the best site not drained,
    /// if there is one; otherwise nothing moves.
    /// </summary>
    private string? ManualModel(string? serving)
    {
        if (pinnedSite is { } pin && !truth[pin].Drained)
            return pin;
        var best = Decider.SitesByPreference.FirstOrDefault(s => !truth[s].Drained);
        return serving is null || truth[serving].Drained ? best ?? serving : serving;
    }

    /// <summary>Invariants of a switch, checked when it happens.</summary>
    private void CheckSwitch(ServiceDecision decision)
    {
        Log(Decider.History[^1].ToString());
        if (decision.ServingSite == lastServing || decision.Epoch != lastEpoch + 1)
            Fail($"a switch must change the site and raise the epoch by one: {lastServing}@{lastEpoch} → {decision.ServingSite}@{decision.Epoch}");
        if (decision.Automatic)
        {
            if (lastAutomaticSwitchSeen is { } previous && Now - previous < scenario.Policy.HoldDown)
                Fail($"automatic switch {Now - previous} after the previous one, inside the hold-down of {scenario.Policy.HoldDown}");
            lastAutomaticSwitchSeen = Now;
        }

        if (decision.Automatic && decision.PreviousSite is { } from && truth.ContainsKey(from) && Decider.Health.Evaluate(from, Now).IsEligible)
        {
            if (!scenario.Policy.Preempt)
                Fail($"non-revertive policy switched away from eligible site {from}");
            else if (decision.Reason != DecisionReason.Preempted || Decider.PriorityOf(decision.ServingSite!) <= Decider.PriorityOf(from))
                Fail($"left eligible site {from} for {decision.ServingSite} without preempting to a better site ({decision.Reason})");
        }
    }

    /// <summary>Invariants of the state after every decision.</summary>
    private void CheckState(ServiceDecision decision)
    {
        var now = Now;
        var health = Decider.Health.EvaluateAll(now);
        var eligible = Decider.SitesByPreference.Where(s => health[s].IsEligible).ToList();
        var lastAuto = decision.LastAutomaticSwitch;
        var holdDownEnd = lastAuto is { } la ? la + scenario.Policy.HoldDown : DateTimeOffset.MinValue;
        var graceEnd = Decider.StartedAt + scenario.Policy.StartupGrace;

        if (decision.ServingSite is { } serving)
        {
            var isCandidate = health.TryGetValue(serving, out var servingHealth);
            var restoredUnknown = now < graceEnd && isCandidate && servingHealth!.State == HealthState.Unknown && !servingHealth.InMaintenance;
            if (!(isCandidate && servingHealth!.IsEligible) && eligible.Count > 0 && now >= holdDownEnd && !restoredUnknown)
                Fail($"serves {serving} ({servingHealth?.Reason ?? "last resort"}) although {string.Join(", ", eligible)} is eligible and no hold-down or startup grace explains it");
            if (isCandidate && servingHealth!.InMaintenance && servingHealth.State != HealthState.Unhealthy && eligible.Count > 0)
                Fail($"drained site {serving} still serves although {string.Join(", ", eligible)} is eligible (a drain is not held down)");

            if (truth.TryGetValue(serving, out var dead) && dead.IsDown)
            {
                var downSince = Later(dead.DownSince, Decider.StartedAt);
                foreach (var site in Decider.SitesByPreference.Where(s => s != serving))
                {
                    if (AvailableFrom(site) is not { } available)
                        continue;
                    var deadline = Latest(downSince + Detection, available, holdDownEnd);
                    if (now > deadline)
                        Fail($"still serves {serving}, down since {Clock(downSince)}, although {site} is up and eligible since at most {Clock(available)}: failover was due by {Clock(deadline)} (detection bound {Detection.TotalMilliseconds} ms)");
                }
            }
        }
        else if (now >= graceEnd && (eligible.Count > 0 || scenario.Policy.NoHealthySite is NoHealthySiteBehavior.LastResortSite))
        {
            Fail($"no site serves after the startup grace although {(eligible.Count > 0 ? string.Join(", ", eligible) + " is eligible" : "a last-resort site is configured")}");
        }

        if (scenario.Policy.Preempt && BestAvailableSite() is { } best && AvailableFrom(best) is { } bestFrom)
        {
            var deadline = Latest(bestFrom + scenario.Policy.PreemptDelay, holdDownEnd, graceEnd);
            if (now > deadline && decision.ServingSite != best)
                Fail($"serves {decision.ServingSite ?? "(none)"} although the best site {best} has been up since at most {Clock(bestFrom)}: preempt was due by {Clock(deadline)}");
        }
    }

    /// <summary>
    /// The site preempt must end on: the highest-priority site that is up, when every site above it
    /// is drained or down long enough to be detected. Null when that is not determined (a lossy or
    /// just-failed site above).
    /// </summary>
    private string? BestAvailableSite()
    {
        foreach (var site in Decider.SitesByPreference)
        {
            var t = truth[site];
            if (t.Drained || (t.IsDown && Later(t.DownSince, Decider.StartedAt) + Detection < Now))
                continue;
            return t.Fault == Fault.Up ? site : null;
        }

        return null;
    }

    /// <summary>When an up, undrained site is eligible at the latest: its rise after coming up (or after the restart), or its undrain.</summary>
    private DateTimeOffset? AvailableFrom(string site)
    {
        var t = truth[site];
        if (t.Fault != Fault.Up || t.Drained)
            return null;
        return Later(Later(t.UpSince, Decider.StartedAt) + Recovery, t.UndrainedAt);
    }

    private void Fail(string message)
    {
        if (violation is not null)
            return;
        var health = Decider.Health.EvaluateAll(Now);
        var text = new StringBuilder();
        text.AppendLine($"at +{(Now - Origin).TotalSeconds:0.000}s: {message}");
        text.AppendLine($"decision: {Decider.Current}");
        foreach (var (site, h) in health)
            text.AppendLine($"  {site}: truth {truth[site].Fault}{(truth[site].Drained ? " drained" : "")}; tracker {h.State}{(h.InMaintenance ? " drained" : "")}, eligible since {h.EligibleSince:HH:mm:ss.fff}: {h.Reason}");
        violation = text.ToString();
        Log("VIOLATION " + message);
    }

    private void Log(string line) => trace.Add($"+{(Now - Origin).TotalSeconds:0.000}s {line}");

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Latest(params DateTimeOffset[] times) => times.Max();

    private static string Clock(DateTimeOffset t) => $"+{(t - Origin).TotalSeconds:0.000}s";

    private sealed class SiteTruth
    {
        public Fault Fault { get; set; } = Fault.Up;
        public double Loss { get; set; }
        public DateTimeOffset UpSince { get; set; } = Origin;
        public DateTimeOffset DownSince { get; set; } = Origin;
        public bool Drained { get; set; }
        public DateTimeOffset UndrainedAt { get; set; } = DateTimeOffset.MinValue;

        public bool IsDown => Fault is Fault.Refused or Fault.Blackhole;
    }
}
