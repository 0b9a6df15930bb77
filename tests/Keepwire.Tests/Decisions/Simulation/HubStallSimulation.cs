using System.Net;
using System.Text;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Health;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Keepwire.State;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>
/// Every site healthy, and the hub itself stalling at random (descheduled for 15 ms to 1.5 s, again and again): the
/// schedule of one run, fully determined by its seed.
/// </summary>
internal sealed record StallScenario(
    int Seed,
    IReadOnlyList<(string Name, int Priority)> Sites,
    CheckDefinition Check,
    FailoverPolicyOptions Policy,
    TimeSpan Duration,
    IReadOnlyList<HubStall> Stalls,
    TimeSpan TickPhase)
{
    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Start => Origin;

    public static StallScenario Generate(int seed)
    {
        var rng = new Random(seed);
        var sites = SimScenario.RandomSites(rng);
        var check = new CheckDefinition("http", CheckKind.Http)
        {
            // The simulated probes keep one pace (Health/ProbeCadence is tested on its own): the bounds are the even pace's.
            Interval = TimeSpan.FromMilliseconds(Pick(rng, 50, 100, 200)),
            Timeout = TimeSpan.FromMilliseconds(Pick(rng, 50, 100, 250, 400)),
            Rise = rng.Next(1, 5),
            Fall = rng.Next(1, 6),
        };
        check = check with { FastInterval = check.Interval };
        var policy = SimScenario.RandomPolicy(rng);
        var duration = TimeSpan.FromSeconds(30);

        var stalls = new List<HubStall>();
        var t = TimeSpan.FromMilliseconds(rng.Next(200, 3000));
        while (t < duration)
        {
            // Mostly short stalls (a busy machine, a GC pause), sometimes a long one; gaps from none to seconds.
            var length = TimeSpan.FromMilliseconds(rng.NextDouble() < 0.6 ? rng.Next(15, 250) : rng.Next(250, 1500));
            stalls.Add(new HubStall(Origin + t, Origin + t + length));
            t += length + TimeSpan.FromMilliseconds(rng.NextDouble() < 0.3 ? rng.Next(1, 100) : rng.Next(100, 4000));
        }
        return new StallScenario(seed, sites, check, policy, duration, stalls, TimeSpan.FromMilliseconds(rng.Next((int)LoopLagMonitor.Period.TotalMilliseconds)));
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {Seed}: sites {string.Join(", ", Sites.Select(s => $"{s.Name}(priority {s.Priority})"))}, all healthy throughout");
        text.AppendLine($"check: interval {Check.Interval.TotalMilliseconds} ms, timeout {Check.Timeout.TotalMilliseconds} ms, rise {Check.Rise}, fall {Check.Fall}");
        text.AppendLine($"policy: {Policy}");
        text.AppendLine($"hub stalls: {string.Join(", ", Stalls.Select(s => $"+{(s.Start - Origin).TotalSeconds:0.000}s {s.Length.TotalMilliseconds:0} ms"))}");
        return text.ToString();
    }

    private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];
}

/// <summary>
/// Runs a <see cref="StallScenario"/> on a fake clock against the hub's real <see cref="HubEngine"/>. The sites always
/// answer, within a quarter of the timeout; only the hub stalls. While it stalls nothing of it runs: a probe's beat
/// waits for the stall's end, an exchange that the stall interrupts resumes after it, an answer that arrives in it
/// is read at its end, and a timeout due in it fires at its end, winning the race against an answer read at the same
/// instant (the worst case). Everything that finishes at one instant reaches the engine in one step, with the stall
/// as the loop-lag monitor saw it (its timer, every <see cref="LoopLagMonitor.Period"/>, fires late at the stall's
/// end), the way the daemon's pass hands them over. The site liveness stream runs beside the probes with the default
/// timing, through the real <see cref="LivenessSession"/>: its losses must not move anything either, and so does an odd
/// client now and then refused by the serving site (passive evidence alone). The invariant: no switch away from a site for its health (a
/// failover, or to the last-resort site), and no site ever counted unhealthy. <see cref="WithoutStallEvidence"/> withholds the monitor's stalls and the probes'
/// timing, to show the same schedules do move services without them.
/// </summary>
internal sealed class HubStallSimulation
{
    private readonly StallScenario _scenario;
    private readonly Random _luck;
    private readonly FakeTimeProvider _clock = new(StallScenario.Start);
    private readonly PriorityQueue<Action, (long Ticks, long Sequence)> _queue = new();
    private readonly Dictionary<string, Queue<Probe>> _unreported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _postponed = new(StringComparer.Ordinal);
    private readonly HashSet<DateTimeOffset> _rechecks = [];
    private readonly List<ProbeObservation> _batch = [];
    private readonly List<HubStall> _batchStalls = [];
    private readonly List<LivenessObservation> _livenessBatch = [];
    private readonly List<RefusedFlow> _refusalBatch = [];
    private readonly Dictionary<string, LivenessSession> _liveness = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset Arrived, DateTimeOffset Read)> _answersInFlight = [];
    private readonly List<string> _trace = [];
    private readonly ClusterConfig _config;
    private readonly HubEngine _engine;
    private long _sequence;
    private string? _violation;

    public HubStallSimulation(StallScenario scenario, bool withoutStallEvidence = false)
    {
        _scenario = scenario;
        WithoutStallEvidence = withoutStallEvidence;
        _luck = new Random(unchecked((scenario.Seed * 7919) + 17));
        // Each site its own tunnel address: the odd client's refusals name their site by it.
        var nodes = scenario.Sites.Select(s => DeciderHarness.Node(s.Name, s.Priority)).Append(DeciderHarness.Node(SimScenario.LastResortSite, 1))
            .Select((node, i) => node with { Tunnel = TunnelAddresses.Host(IPAddress.Parse($"10.77.0.{i + 2}"), null) }).ToList();
        var service = new ServiceConfig("web", [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], [.. scenario.Sites.Select(s => s.Name)])
        {
            Failover = scenario.Policy,
            Checks = [scenario.Check],
        };
        _config = new ClusterConfig("stall.yaml", [DeciderHarness.Hub()], nodes, [service]);
        foreach (var (site, _) in scenario.Sites)
        {
            _unreported[site] = new Queue<Probe>();
            _liveness[site] = new LivenessSession(site, LivenessSettings.DefaultInterval, LivenessSettings.DefaultMultiplier);
        }
        _engine = new HubEngine(_config, _config.Hubs[0], OperatorIntent.None, new Dictionary<string, DecisionRecord>(), _clock);
    }

    public bool WithoutStallEvidence { get; }

    public IReadOnlyList<string> Trace => _trace;

    public long Steps { get; private set; }

    public long Inconclusive => _engine.InconclusiveProbes;

    /// <summary>Probes of healthy sites that timed out because the hub stalled.</summary>
    public long FalseTimeouts { get; private set; }

    private DateTimeOffset Now => _clock.GetUtcNow();

    private TimeSpan Timeout => _scenario.Check.Timeout;

    /// <summary>Runs to the end; returns the first invariant violation, or null.</summary>
    public string? Run()
    {
        foreach (var stall in _scenario.Stalls)
        {
            if (MonitorSees(stall) is { } seen)
                At(stall.End, () => _batchStalls.Add(seen));
        }
        var offsets = new Random(_scenario.Seed);
        foreach (var (site, _) in _scenario.Sites)
            At(StallScenario.Start + TimeSpan.FromMilliseconds(offsets.Next((int)_scenario.Check.Interval.TotalMilliseconds)), () => Beat(site));
        At(StallScenario.Start + _scenario.TickPhase, () => LivenessBeat(StallScenario.Start + _scenario.TickPhase));
        At(StallScenario.Start + TimeSpan.FromMilliseconds(offsets.Next(300, 3000)), OddClientRefused);

        var end = StallScenario.Start + _scenario.Duration;
        while (_violation is null && _queue.TryDequeue(out var action, out var when) && when.Ticks <= end.UtcTicks)
        {
            if (when.Ticks > Now.UtcTicks)
                _clock.SetUtcNow(new DateTimeOffset(when.Ticks, TimeSpan.Zero));
            action();
        }
        return _violation;
    }

    /// <summary>
    /// The stall as the loop-lag timer reports it: from the first tick due in it to its end (the part before that tick
    /// goes unseen), when that is at least <see cref="StallRule.MinimumStall"/>. The timer is re-armed at every firing, so
    /// after a stall its ticks start afresh; ticks that fall in no stall keep the grid of their phase.
    /// </summary>
    private HubStall? MonitorSees(HubStall stall)
    {
        var period = LoopLagMonitor.Period;
        var before = _scenario.Stalls.LastOrDefault(s => s.End <= stall.Start);
        var origin = before == default ? StallScenario.Start + _scenario.TickPhase : before.End;
        var ticks = Math.Ceiling((stall.Start - origin) / period);
        var due = origin + (period * Math.Max(0, ticks));
        return stall.End - due >= StallRule.MinimumStall ? new HubStall(due, stall.End) : null;
    }

    private void At(DateTimeOffset time, Action action) => _queue.Enqueue(action, (time.UtcTicks, _sequence++));

    /// <summary>When the hub runs again at or after <paramref name="time"/>.</summary>
    private DateTimeOffset Resumes(DateTimeOffset time)
    {
        foreach (var stall in _scenario.Stalls)
        {
            if (stall.Start <= time && time < stall.End)
                return stall.End;
        }
        return time;
    }

    private void Beat(string site)
    {
        At(Now + _scenario.Check.Interval, () => Beat(site));
        // The scheduler's timer fires at the stall's end; beats missed in it are not made up.
        var start = Resumes(Now);
        if (start != Now)
        {
            if (_postponed.TryGetValue(site, out var already) && already == start)
                return;
            _postponed[site] = start;
            At(start, () => StartProbe(site));
            return;
        }
        StartProbe(site);
    }

    /// <summary>
    /// The liveness monitor's beat (<c>SiteLivenessMonitor.Beat</c>): its periodic timer keeps its grid, and a tick due
    /// in a stall fires once at the stall's end. It judges every site unless answers wait unread (they arrived in the
    /// stall and are read at its end: worst case, the beat runs first), then sends each site a datagram, which the
    /// healthy site answers within a few milliseconds; the hub reads the answer once it runs.
    /// </summary>
    private void LivenessBeat(DateTimeOffset due)
    {
        var interval = LivenessSettings.DefaultInterval;
        var next = due + interval;
        var fires = Resumes(next);
        var lastDue = next + (interval * Math.Floor((fires - next) / interval));
        At(fires, () => LivenessBeat(lastDue));

        _answersInFlight.RemoveAll(a => a.Read < Now);
        var unread = _answersInFlight.Any(a => a.Arrived < Now && a.Read == Now);
        foreach (var (site, session) in _liveness)
        {
            if (!unread && session.Judge(Now) is { } lost)
                Liveness(lost);
            var datagrams = session.TakePoll() ? 1 + LivenessSession.PollDatagrams : 1;
            for (var i = 0; i < datagrams; i++)
            {
                var seq = session.Next(Now);
                var arrived = Now + TimeSpan.FromMilliseconds(1 + _luck.Next(5));
                var read = Resumes(arrived);
                _answersInFlight.Add((arrived, read));
                At(read, () =>
                {
                    if (session.Answer(seq, Now) is { } regained)
                        Liveness(regained);
                });
            }
        }
    }

    private void Liveness(LivenessObservation observation)
    {
        _livenessBatch.Add(observation);
        if (_batch.Count == 0 && _livenessBatch.Count == 1 && _refusalBatch.Count == 0)
            At(Now, Step);
    }

    /// <summary>
    /// Now and then one client is refused by the serving site (its own reasons: a port it got wrong, a connection
    /// the site's backlog dropped): passive evidence that must not move a service whose probes pass, however the hub
    /// stalls around it. The hub reads the refusal once it runs.
    /// </summary>
    private void OddClientRefused()
    {
        At(Now + TimeSpan.FromMilliseconds(300 + _luck.Next(2700)), OddClientRefused);
        if (_engine.Find("web")!.Current.ServingSite is not { } serving)
            return;
        var address = _config.FindSite(serving)!.Tunnel.IPv4!;
        At(Resumes(Now + TimeSpan.FromMilliseconds(1)), () =>
        {
            _refusalBatch.Add(new RefusedFlow(address, TransportProtocol.Tcp, 443, Now));
            if (_batch.Count == 0 && _livenessBatch.Count == 0 && _refusalBatch.Count == 1)
                At(Now, Step);
        });
    }

    private void StartProbe(string site)
    {
        var pending = _unreported[site];
        if (pending.Count >= _scenario.Check.MaxProbesInFlight)
            return;
        var answerTime = TimeSpan.FromMilliseconds(1 + _luck.Next(Math.Max(1, (int)(Timeout.TotalMilliseconds / 4))));
        var (success, finished) = Outcome(Now, answerTime);
        if (!success)
            FalseTimeouts++;
        var probe = new Probe(Now, success);
        pending.Enqueue(probe);
        At(finished, () =>
        {
            probe.Done = true;
            while (pending.TryPeek(out var head) && head.Done)
            {
                pending.Dequeue();
                Report(site, head);
            }
        });
    }

    /// <summary>A healthy site's answer against the hub's stalls: success when the hub reads it before its timeout fires.</summary>
    private (bool Success, DateTimeOffset Finished) Outcome(DateTimeOffset started, TimeSpan answerTime)
    {
        // The exchange needs the hub's part (connect, request) too: a stall in it delays the rest until it ends.
        var answered = started + answerTime;
        foreach (var stall in _scenario.Stalls)
        {
            if (stall.Start < answered && stall.End > started && stall.Start >= started)
                answered = stall.End + (answered - stall.Start);
        }
        var read = Resumes(answered);
        var timesOut = Resumes(started + Timeout);
        return read < timesOut || (read == timesOut && read < started + Timeout) ? (true, read) : (false, timesOut);
    }

    private void Report(string site, Probe probe)
    {
        var result = probe.Success
            ? CheckResult.Passed(site, "http", Now, "status 200")
            : new CheckResult(site, "http", Now, false, $"timeout after {Timeout.TotalMilliseconds:0} ms") { TimedOut = true };
        var observation = ProbeObservation.For("web", result);
        _batch.Add(WithoutStallEvidence ? observation : observation with { Timing = new ProbeTiming(probe.Started, Timeout) });
        if (_batch.Count == 1 && _livenessBatch.Count == 0 && _refusalBatch.Count == 0)
            At(Now, Step);
    }

    /// <summary>One pass of the daemon: every result that arrived, with the stalls the monitor saw by now.</summary>
    private void Step()
    {
        var evidence = new HubEvidence { Probes = [.. _batch], Liveness = [.. _livenessBatch], Refusals = [.. _refusalBatch], Stalls = WithoutStallEvidence ? [] : [.. _batchStalls] };
        _batch.Clear();
        _livenessBatch.Clear();
        _refusalBatch.Clear();
        _batchStalls.Clear();
        Check(_engine.Step(evidence), evidence);
    }

    private void Check(HubStep step, HubEvidence evidence)
    {
        Steps++;
        foreach (var note in step.Notes)
            Log(note.Summary);
        if (step.NextWakeUp is { } recheck && recheck > Now && _rechecks.Add(recheck))
            At(recheck, () => Check(_engine.Step(HubEvidence.None), HubEvidence.None));
        foreach (var decision in step.Switched)
        {
            Log($"switch {decision.PreviousSite ?? "(none)"} → {decision.ServingSite ?? "(none)"} [{decision.Reason}] {decision.Detail}");
            // Leaving a site for its health; a first choice of the last-resort site before any site rose is no move.
            if (decision.Reason is DecisionReason.Failover or DecisionReason.LastResort && decision.PreviousSite is not null && decision.PreviousSite != SimScenario.LastResortSite)
                Fail($"web moved {decision.PreviousSite ?? "(none)"} → {decision.ServingSite ?? "(none)"} [{decision.Reason}] although every site is healthy: {decision.Detail}", evidence);
        }
        var decider = _engine.Find("web")!;
        foreach (var (site, health) in decider.Health.EvaluateAll(Now))
        {
            if (health.State == HealthState.Unhealthy)
                Fail($"healthy site {site} counted unhealthy: {health.Reason}", evidence);
        }
    }

    private void Fail(string message, HubEvidence evidence)
    {
        if (_violation is not null)
            return;
        var text = new StringBuilder();
        text.AppendLine($"at +{(Now - StallScenario.Start).TotalSeconds:0.000}s: {message}");
        text.AppendLine($"step's stalls: {string.Join(", ", evidence.Stalls.Select(s => $"+{(s.Start - StallScenario.Start).TotalSeconds:0.000}s {s.Length.TotalMilliseconds:0} ms"))}");
        foreach (var liveness in evidence.Liveness)
            text.AppendLine($"  {liveness.Site} {liveness.Detail}");
        foreach (var refusal in evidence.Refusals)
            text.AppendLine($"  {refusal.Site} refused a client on tcp/{refusal.Port}");
        foreach (var probe in evidence.Probes)
            text.AppendLine($"  {probe.Result.Site} {(probe.Result.Success ? "passed" : probe.Result.Detail)}, started +{((probe.Timing?.Started ?? probe.Result.Time) - StallScenario.Start).TotalSeconds:0.000}s");
        _violation = text.ToString();
        Log("VIOLATION " + message);
    }

    private void Log(string line) => _trace.Add($"+{(Now - StallScenario.Start).TotalSeconds:0.000}s {line}");

    private sealed class Probe(DateTimeOffset started, bool success)
    {
        public DateTimeOffset Started { get; } = started;

        public bool Success { get; } = success;

        public bool Done { get; set; }
    }
}
