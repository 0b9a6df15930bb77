using System.Net;
using System.Text;
using Keepwire.Configuration;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>
/// Two hubs deciding one failover service, on a fake clock: each probes every site, runs its pair loop
/// (<see cref="PairSimHub"/>) and sends real, signed sync messages directly and through every site
/// that can relay (each copy may be lost); a small keepalived model moves the VIPs (VRRP, nopreempt, track file, pid grace).
/// Checked throughout:
/// <list type="bullet">
/// <item>Agreement: two hubs that both hold the VIPs and can both be reached by clients serve the same site once the
///   split brain has been seen and the yield has taken effect (a settle time), unless nothing connects them (no pair link,
///   no site to relay) or a switch is still on its way (a message's latency).</item>
/// <item>A hub failover alone never changes the serving site: when the VIPs move from one hub to the other, the new holder
///   serves what the old one served, for a second after, unless a site fault, an operator action, a restart of the new
///   holder or its own isolation is recent enough to explain a change.</item>
/// <item>Epochs never go down on a hub, over restarts too, every switch raises them, and they never exceed the number of
///   switches on both hubs (two hubs must not chase each other's epochs).</item>
/// <item>The operator's intent meets and keeps the last word: two running hubs that can hear each other keep the same
///   pins and drains once a settle time has passed since they could, since either started and since the last operator
///   action, and those include what the last accepted command asked for, also when a hub deciding alone took it while
///   the pair was cut (the operator reaches either hub of a split brain). Only a command taken while an earlier one on
///   the other hub may not have reached it yet (concurrent: no order between them) may lose to that one.</item>
/// </list>
/// </summary>
internal sealed class PairSimulation
{
    public static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(1);

    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Advert = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan VrrpTick = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan PidGrace = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDirectLatency = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxRelayLatency = TimeSpan.FromMilliseconds(30);

    /// <summary>A split brain is seen within a heartbeat and a relay, after the loop noticed it holds the VIPs.</summary>
    private static readonly TimeSpan Settle = (3 * Advert) + (2 * MaxRelayLatency) + (2 * VrrpTick);

    /// <summary>Each copy of a message (direct, or through one site) is lost with this probability.</summary>
    private const double Loss = 0.02;

    /// <summary>How long a follower may lag a switch: its own message lost on every path, the next heartbeat through the slowest relay.</summary>
    private static readonly TimeSpan Lag = Advert + MaxRelayLatency + VrrpTick;

    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(1);

    private readonly PairScenario scenario;
    private readonly Random network;
    private readonly Random probeLuck;
    private readonly Random operatorLuck;
    private readonly PriorityQueue<Action, (long Ticks, long Sequence)> queue = new();
    private readonly Dictionary<string, Fault> truth = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Hub, string Site), Queue<PendingProbe>> unreported = [];
    private readonly List<string> trace = [];
    private readonly PairSimHub[] hubs;
    private readonly HubSyncKey[] keys;
    private long sequence;
    private int pairCuts;
    private string? violation;
    private DateTimeOffset lastWorldEvent = DateTimeOffset.MinValue;
    private DateTimeOffset lastOperatorAction = DateTimeOffset.MinValue;
    private (PairSimHub Hub, OperatorCommand Command, DateTimeOffset At, bool Concurrent)? lastAccepted;
    private DateTimeOffset? bothHoldSince;
    private DateTimeOffset? syncUpSince;
    private (PairSimHub Hub, string? Site, string? OtherSite, DateTimeOffset At)? lastSole;
    private (PairSimHub Hub, string From, string? Site, DateTimeOffset LeftAt, DateTimeOffset Until)? pendingFailover;

    public PairSimulation(PairScenario scenario)
    {
        this.scenario = scenario;
        network = new Random(unchecked((scenario.Seed * 31) + 7));
        probeLuck = new Random(unchecked((scenario.Seed * 7919) + 17));
        operatorLuck = new Random(unchecked((scenario.Seed * 104729) + 3));
        var sites = scenario.Sites.Select(s => DeciderHarness.Node(s.Name, s.Priority)).Append(DeciderHarness.Node(SimScenario.LastResortSite, 1)).ToList();
        var service = new ServiceConfig(PairSimHub.Service, [IPAddress.Parse("198.51.100.10")], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], [.. scenario.Sites.Select(s => s.Name)])
        {
            Failover = scenario.Policy,
            Checks = [scenario.Check],
        };
        Config = new ClusterConfig("pair.yaml", [.. PairScenario.Hubs.Select(h => DeciderHarness.Hub(h.Name, h.Priority))], sites, [service])
        {
            HubPair = HubPairSettings.Default with { AdvertInterval = Advert, PeerTimeout = PeerTimeout },
        };
        foreach (var (site, _) in scenario.Sites)
            truth[site] = Fault.Up;

        var ((name1, priority1), (name2, priority2)) = (PairScenario.Hubs[0], PairScenario.Hubs[1]);
        var (pair1, pair2) = (KeyPair.Generate(), KeyPair.Generate());
        keys = [HubSyncKey.Derive(pair1.PrivateKey, pair2.PublicKey, name1, name2), HubSyncKey.Derive(pair2.PrivateKey, pair1.PublicKey, name2, name1)];
        hubs = [new PairSimHub(this, name1, priority1, name2, new HubSyncCodec(keys[0])), new PairSimHub(this, name2, priority2, name1, new HubSyncCodec(keys[1]))];
    }

    public FakeTimeProvider Clock { get; } = new(Origin);

    public ClusterConfig Config { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public int Decisions { get; set; }

    /// <summary>Serving-site changes on both hubs (own switches and adoptions).</summary>
    public int Switches { get; set; }

    /// <summary>Hub failovers the "keeps the serving site" invariant was checked on (not excused).</summary>
    public int CheckedFailovers { get; private set; }

    /// <summary>VRRP ticks at which both hubs held the VIPs and their agreement was checked.</summary>
    public int CheckedSplitBrainTicks { get; private set; }

    /// <summary>VRRP ticks at which both hubs' intents were checked to be the same.</summary>
    public int CheckedIntentTicks { get; private set; }

    /// <summary>Operator actions taken by one hub of a split brain.</summary>
    public int SplitBrainCommands { get; private set; }

    public IReadOnlyList<string> Trace => trace;

    private bool PairLinkUp => pairCuts == 0 && hubs.All(h => !h.Isolated);

    private TimeSpan Lookback => Max(scenario.Policy.PreemptDelay + scenario.Check.RecoveryBound, scenario.Policy.HoldDown + scenario.Check.DetectionBound, scenario.Policy.StartupGrace) + TimeSpan.FromSeconds(1);

    private TimeSpan Warmup => scenario.Policy.StartupGrace + scenario.Check.RecoveryBound + scenario.Check.DetectionBound + TimeSpan.FromSeconds(1);

    /// <summary>Runs to the end; returns the first invariant violation, or null.</summary>
    public string? Run()
    {
        try
        {
            foreach (var hub in hubs)
            {
                hub.LastAdvertHeard = Origin;
                hub.StartDaemon();
                var offset = TimeSpan.FromMilliseconds(network.Next((int)Advert.TotalMilliseconds));
                At(Origin + offset, () => Periodic(hub));
                foreach (var (site, _) in scenario.Sites)
                    At(Origin + TimeSpan.FromMilliseconds(network.Next((int)scenario.Check.Interval.TotalMilliseconds)), () => StartProbe(hub, site));
            }

            foreach (var e in scenario.Events)
                At(Origin + e.At, () => Apply(e));
            At(Origin, Tick);

            var end = Origin + scenario.Duration;
            while (violation is null && queue.TryDequeue(out var action, out var when) && when.Ticks <= end.UtcTicks)
            {
                if (when.Ticks > Now.UtcTicks)
                    Clock.SetUtcNow(new DateTimeOffset(when.Ticks, TimeSpan.Zero));
                action();
            }

            return violation;
        }
        finally
        {
            foreach (var key in keys)
                key.Dispose();
        }
    }

    public void Send(PairSimHub from, byte[] datagram)
    {
        var to = Other(from);
        if (PairLinkUp && network.NextDouble() >= Loss)
            At(Now + Latency(1, MaxDirectLatency), () => Deliver(to, datagram, direct: true));
        if (from.Isolated)
            return;
        foreach (var site in truth.Keys.Where(s => truth[s] != Fault.Blackhole && network.NextDouble() >= Loss))
            At(Now + Latency(5, MaxRelayLatency), () => Deliver(to, datagram, direct: false, site));
    }

    public void Log(string line) => trace.Add($"+{(Now - Origin).TotalSeconds:0.000}s {line}");

    public void Fail(string message)
    {
        if (violation is not null)
            return;
        var text = new StringBuilder();
        text.AppendLine($"at +{(Now - Origin).TotalSeconds:0.000}s: {message}");
        foreach (var hub in hubs)
            text.AppendLine($"  {hub.Name}: vrrp {hub.Vrrp}{(hub.Isolated ? ", isolated" : "")}{(hub.DaemonUp ? "" : ", daemon down")}, serves {hub.Serving ?? "(none)"} epoch {hub.LastEpoch}");
        text.AppendLine($"  sites: {string.Join(", ", truth.Select(t => $"{t.Key} {t.Value}"))}; pair link {(PairLinkUp ? "up" : "cut")}");
        violation = text.ToString();
        Log("VIOLATION " + message);
    }

    private void At(DateTimeOffset time, Action action) => queue.Enqueue(action, (time.UtcTicks, sequence++));

    private TimeSpan Latency(int minMilliseconds, TimeSpan max) => TimeSpan.FromMilliseconds(network.Next(minMilliseconds, (int)max.TotalMilliseconds + 1));

    private PairSimHub Other(PairSimHub hub) => hub == hubs[0] ? hubs[1] : hubs[0];

    private PairSimHub Hub(string name) => hubs.First(h => h.Name == name);

    private void Deliver(PairSimHub to, byte[] datagram, bool direct, string? relay = null)
    {
        var pathUp = direct ? PairLinkUp : !to.Isolated && truth[relay!] != Fault.Blackhole;
        if (to.MachineUp && pathUp)
            to.Receive(datagram, direct);
    }

    private void Periodic(PairSimHub hub)
    {
        At(Now + Advert, () => Periodic(hub));
        hub.Tick();
    }

    private void Apply(SimEvent e)
    {
        Log(e.ToString()!);
        switch (e)
        {
            case FaultEvent f:
                truth[f.Site] = f.Fault;
                lastWorldEvent = Now;
                return;
            case HubFaultEvent { Fault: HubFault.PairPartition } p:
                pairCuts++;
                At(Now + p.Duration, () => { pairCuts--; Log("pair link restored"); });
                return;
            case HubFaultEvent h:
                Begin(Hub(h.Hub), h);
                return;
            case DrainEvent or PinEvent:
                OperatorAction(e);
                return;
        }
    }

    private void Begin(PairSimHub hub, HubFaultEvent e)
    {
        switch (e.Fault)
        {
            case HubFault.Crash:
                hub.Crash();
                At(Now + e.Duration, hub.Boot);
                return;
            case HubFault.DaemonDeath:
                hub.StopDaemon("dies");
                At(Now + e.Duration, hub.StartDaemon);
                return;
            case HubFault.Isolation:
                hub.IsolationDepth++;
                At(Now + e.Duration, () =>
                {
                    hub.IsolationDepth--;
                    hub.IsolationEndedAt = Now;
                    Log($"{hub.Name}: link restored");
                });
                return;
        }
    }

    /// <summary>
    /// The operator talks to a hub that holds the VIPs (one clients reach), either one of a split brain; with none,
    /// the action waits for nobody.
    /// </summary>
    private void OperatorAction(SimEvent e)
    {
        lastWorldEvent = Now;
        lastOperatorAction = Now;
        var holders = hubs.Where(h => h.ReachableHolder && h.DaemonUp).ToList();
        if (holders.Count == 0)
        {
            Log("  (no active hub to take it)");
            return;
        }
        if (holders.Count > 1)
            SplitBrainCommands++;
        var hub = holders[operatorLuck.Next(holders.Count)];

        OperatorCommand command = e switch
        {
            DrainEvent d => new OperatorCommand.Drain(d.Site, d.Drain),
            PinEvent { Site: { } site } => new OperatorCommand.Pin(PairSimHub.Service, site),
            _ => new OperatorCommand.Unpin(PairSimHub.Service),
        };
        var answer = hub.Command(command);
        Log($"  {hub.Name}: {(answer.Ok ? "" : "refused: ")}{answer.Message}");
        if (answer.Ok)
            lastAccepted = (hub, command, Now, !FollowsLastAccepted(hub));
    }

    /// <summary>
    /// Whether a command on <paramref name="hub"/> now comes after the last accepted one: taken by the same hub, or by
    /// the other while both daemons ran and could hear each other from the first command until now, long enough for it
    /// to have arrived. Otherwise neither hub knew of the other's: concurrent.
    /// </summary>
    private bool FollowsLastAccepted(PairSimHub hub) =>
        lastAccepted is not { } previous
        || previous.Hub == hub
        || (syncUpSince is { } connected && connected <= previous.At && Now - previous.At >= Settle + Lag
            && hubs.All(h => h.DaemonUp && h.DaemonUpSince <= previous.At));

    private void StartProbe(PairSimHub hub, string site)
    {
        At(Now + scenario.Check.Interval, () => StartProbe(hub, site));
        if (!hub.DaemonUp)
            return;
        var timeout = scenario.Check.Timeout;
        var (success, duration, detail) = hub.Isolated ? (false, timeout, "timeout")
            : truth[site] switch
            {
                Fault.Up => (true, TimeSpan.FromMilliseconds(1 + probeLuck.Next(30)), "status 200"),
                Fault.Refused => (false, TimeSpan.FromMilliseconds(1), "connection refused"),
                _ => (false, timeout, "timeout"),
            };
        var key = (hub.Name, site);
        if (!unreported.TryGetValue(key, out var pending))
            unreported[key] = pending = new();
        var probe = new PendingProbe(success, detail);
        var incarnation = hub.Incarnation;
        pending.Enqueue(probe);
        At(Now + duration, () =>
        {
            probe.Done = true;
            while (pending.TryPeek(out var head) && head.Done)
            {
                pending.Dequeue();
                if (hub.DaemonUp && hub.Incarnation == incarnation)
                    hub.Record(new CheckResult(site, scenario.Check.Name, Now, head.Success, head.Detail));
            }
        });
    }

    /// <summary>keepalived on both hubs, every 10 ms, then the invariants that concern who holds the VIPs.</summary>
    private void Tick()
    {
        At(Now + VrrpTick, Tick);
        foreach (var hub in hubs)
            Vrrp(hub);
        CheckAgreement();
        CheckFailover();
        CheckIntent();
    }

    private void Vrrp(PairSimHub hub)
    {
        if (!hub.MachineUp)
            return;
        var healthy = !hub.TrackYield && (hub.DaemonUp || Now - hub.DaemonDownSince < PidGrace);
        if (!healthy)
        {
            Move(hub, VrrpState.Fault);
            return;
        }

        if (hub.Vrrp == VrrpState.Fault)
        {
            Move(hub, VrrpState.Backup);
            hub.LastAdvertHeard = Now;
        }

        var other = Other(hub);
        var hears = PairLinkUp && other.MachineUp && other.Vrrp == VrrpState.Master;
        if (hears)
            hub.LastAdvertHeard = Now;
        // RFC 5798 master down interval: 3 adverts plus a skew that favours the higher priority.
        var masterDown = (3 * Advert) + (Advert * ((256 - hub.Priority) / 256.0));
        if (hub.Vrrp == VrrpState.Backup && Now - hub.LastAdvertHeard >= masterDown)
            Move(hub, VrrpState.Master);
        else if (hub.Vrrp == VrrpState.Master && hears && other.Priority > hub.Priority)
            Move(hub, VrrpState.Backup);
    }

    private void Move(PairSimHub hub, VrrpState state)
    {
        if (hub.Vrrp == state)
            return;
        Log($"{hub.Name}: keepalived {hub.Vrrp} → {state}");
        hub.Vrrp = state;
    }

    private void CheckAgreement()
    {
        var bothHold = hubs.All(h => h.ReachableHolder);
        bothHoldSince = bothHold ? bothHoldSince ?? Now : null;
        var syncUp = PairLinkUp || (hubs.All(h => !h.Isolated) && truth.Values.Any(f => f != Fault.Blackhole));
        syncUpSince = syncUp ? syncUpSince ?? Now : null;
        if (bothHoldSince is not { } both || syncUpSince is not { } connected || !hubs.All(h => h.DaemonUp))
            return;
        var since = Max(both, connected, hubs[0].DaemonUpSince, hubs[1].DaemonUpSince);
        if (Now - since < Settle)
            return;
        CheckedSplitBrainTicks++;
        var (first, second) = (hubs[0], hubs[1]);
        if (first.Serving != second.Serving && Now - Max(first.LastServingChange, second.LastServingChange) >= Lag)
            Fail($"both hubs hold the VIPs since {Stamp(both)} and serve different sites: {first.Name} {first.Serving ?? "(none)"}, {second.Name} {second.Serving ?? "(none)"}");
    }

    private void CheckIntent()
    {
        if (syncUpSince is not { } connected || !hubs.All(h => h.DaemonUp))
            return;
        var since = Max(connected, lastOperatorAction, hubs[0].DaemonUpSince, hubs[1].DaemonUpSince);
        if (Now - since < Settle + Lag)
            return;
        CheckedIntentTicks++;
        var (first, second) = (hubs[0], hubs[1]);
        if (!first.Intent.SameAs(second.Intent))
            Fail($"the hubs hear each other since {Stamp(connected)} and keep different intents: {first.Name} {Describe(first.Intent)}, {second.Name} {Describe(second.Intent)}");
        else if (lastAccepted is { Concurrent: false } last && !Keeps(first.Intent, last.Command))
            Fail($"the hubs lost the last command, {last.Command} taken by {last.Hub.Name} at {Stamp(last.At)}: both keep {Describe(first.Intent)}");
    }

    private static bool Keeps(OperatorIntent intent, OperatorCommand command) => command switch
    {
        OperatorCommand.Pin pin => intent.PinnedSiteByService.GetValueOrDefault(pin.Service) == pin.Site,
        OperatorCommand.Unpin unpin => !intent.PinnedSiteByService.ContainsKey(unpin.Service),
        OperatorCommand.Drain drain => intent.DrainedSites.Contains(drain.Site) == drain.Drained,
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown operator command"),
    };

    private static string Describe(OperatorIntent intent) =>
        $"revision {intent.Revision}, pins [{string.Join(", ", intent.PinnedSiteByService.Select(p => $"{p.Key}→{p.Value}"))}], drained [{string.Join(", ", intent.DrainedSites.Order(StringComparer.Ordinal))}]";

    private void CheckFailover()
    {
        var holders = hubs.Where(h => h.ReachableHolder).ToList();
        if (holders is [var sole])
        {
            if (lastSole is { } previous && previous.Hub != sole)
                StartFailoverCheck(previous, sole);
            lastSole = (sole, sole.Serving, Other(sole).Serving, Now);
        }

        if (pendingFailover is not { } pending)
            return;
        if (Now > pending.Until || holders is not [var holder] || holder != pending.Hub || Excused(pending.LeftAt))
        {
            pendingFailover = null;
            return;
        }

        if (holder.Serving != pending.Site)
            Fail($"hub failover {pending.From} → {holder.Name} at {Stamp(pending.LeftAt)} changed {PairSimHub.Service} from {pending.Site ?? "(none)"} to {holder.Serving ?? "(none)"} with no site fault, operator action or isolation to explain it");
    }

    private void StartFailoverCheck((PairSimHub Hub, string? Site, string? OtherSite, DateTimeOffset At) left, PairSimHub taker)
    {
        var why = taker.DaemonUpSince > left.At - Warmup ? $"{taker.Name}'s daemon started at {Stamp(taker.DaemonUpSince)}, its probes may not have settled"
            : left.OtherSite != left.Site ? $"{taker.Name} served {left.OtherSite ?? "(none)"}, not {left.Site ?? "(none)"}, when {left.Hub.Name} left (a switch in flight, or no sync)"
            : Excused(left.At) ? "a site fault, operator action or isolation is recent"
            : null;
        if (why is not null)
        {
            Log($"hub failover {left.Hub.Name} → {taker.Name}: not checked ({why})");
            return;
        }

        CheckedFailovers++;
        Log($"hub failover {left.Hub.Name} → {taker.Name}: {PairSimHub.Service} must stay on {left.Site ?? "(none)"}");
        pendingFailover = (taker, left.Hub.Name, left.Site, left.At, Now + Watch);
    }

    /// <summary>
    /// A site fault or operator action, or an isolation of either hub (whose probes then fail: the leaver's last
    /// decisions may have been blind, and the taker corrects them), recent enough to explain a change.
    /// </summary>
    private bool Excused(DateTimeOffset leftAt) =>
        lastWorldEvent >= leftAt - Lookback || hubs.Any(h => h.WasIsolatedSince(leftAt - Lookback));

    private static DateTimeOffset Max(params DateTimeOffset[] times) => times.Max();

    private static TimeSpan Max(params TimeSpan[] spans) => spans.Max();

    private static string Stamp(DateTimeOffset t) => $"+{(t - Origin).TotalSeconds:0.000}s";
}
