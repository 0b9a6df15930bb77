using System.Net;
using Keepwire.Adapters.Keepalived;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>What keepalived does with a hub's VIPs (VRRP state as keepalived names it).</summary>
internal enum VrrpState
{
    /// <summary>The machine is down.</summary>
    Down,
    Backup,
    Master,

    /// <summary>The track file says give up (Keepwire yields), or the daemon has been dead for the grace.</summary>
    Fault,
}

/// <summary>
/// One hub node in a <see cref="PairSimulation"/>: its keepalived state, and its Keepwire daemon doing
/// what the hub loop does in a pair: admit peer messages, step the hub's real <see cref="HubEngine"/> with
/// them, its probe results, whether it holds the VIPs and the operator's commands, and carry the step out:
/// the verdict into the track file, the journal and intent saved, the message sent when the engine says
/// one is due. What survives a daemon restart (the journal and the intent) is kept apart from the daemon's memory.
/// </summary>
internal sealed class PairSimHub(PairSimulation sim, string name, int priority, string peer, HubSyncCodec codec)
{
    public const string Service = "web";

    private static readonly IPAddress Vip = IPAddress.Parse("198.51.100.10");

    private HubEngine? engine;
    private HubSyncReplayGuard? guard;
    private HubSyncAssembler? assembler;
    private HubSyncSequence? sequence;
    private PairRoleDecision? lastRole;
    private string? lastServing;

    public string Name { get; } = name;

    public int Priority { get; } = priority;

    public bool MachineUp { get; private set; } = true;

    public bool DaemonUp { get; private set; }

    /// <summary>Bumped on every daemon start, so probe results of a dead daemon are not delivered to the next.</summary>
    public int Incarnation { get; private set; }

    public DateTimeOffset DaemonUpSince { get; private set; }

    public DateTimeOffset DaemonDownSince { get; private set; }

    public int IsolationDepth { get; set; }

    public bool Isolated => IsolationDepth > 0;

    public DateTimeOffset IsolationEndedAt { get; set; } = DateTimeOffset.MinValue;

    public VrrpState Vrrp { get; set; } = VrrpState.Backup;

    public DateTimeOffset LastAdvertHeard { get; set; }

    /// <summary>What the daemon last wrote into keepalived's track file: true = give the VIPs up.</summary>
    public bool TrackYield { get; private set; }

    /// <summary>The decision journal and the operator's intent: on disk, so they survive the daemon.</summary>
    public IReadOnlyDictionary<string, DecisionRecord> Journal { get; private set; } = new Dictionary<string, DecisionRecord>();

    public OperatorIntent Intent { get; set; } = OperatorIntent.None;

    public long LastEpoch { get; private set; }

    public DateTimeOffset LastServingChange { get; private set; } = DateTimeOffset.MinValue;

    public bool HoldsVips => MachineUp && Vrrp == VrrpState.Master;

    /// <summary>Holds the VIPs and clients can reach it: what the invariants are about.</summary>
    public bool ReachableHolder => HoldsVips && !Isolated;

    /// <summary>Where the kernel forwards: the daemon's decision, or the last one applied (journaled) while it is dead.</summary>
    public string? Serving => DaemonUp ? Decider!.Current.ServingSite : Journal.GetValueOrDefault(Service)?.ServingSite;

    public ServiceDecider? Decider => engine?.Find(Service);

    public bool WasIsolatedSince(DateTimeOffset time) => Isolated || IsolationEndedAt >= time;

    public void StartDaemon()
    {
        if (!MachineUp || DaemonUp)
            return;
        Incarnation++;
        DaemonUp = true;
        DaemonUpSince = sim.Now;
        TrackYield = false;
        engine = new HubEngine(sim.Config, sim.Config.FindHub(Name)!, Intent, Journal, sim.Clock);
        guard = new HubSyncReplayGuard(peer, HubSyncReplayGuard.FreshnessFor(PairSimulation.PeerTimeout), sim.Clock);
        assembler = new HubSyncAssembler(codec);
        sequence = new HubSyncSequence(Name, sim.Clock);
        lastRole = null;
        lastServing = Serving;
        sim.Log($"{Name}: daemon starts, restoring {lastServing ?? "(none)"} epoch {Decider!.Current.Epoch}");
    }

    public void StopDaemon(string why)
    {
        if (!DaemonUp)
            return;
        DaemonUp = false;
        DaemonDownSince = sim.Now;
        engine = null;
        sim.Log($"{Name}: daemon {why}; the kernel keeps forwarding to {Serving ?? "(none)"}");
    }

    public void Crash()
    {
        StopDaemon("dies with the machine");
        MachineUp = false;
        Vrrp = VrrpState.Down;
    }

    public void Boot()
    {
        if (MachineUp)
            return;
        MachineUp = true;
        Vrrp = VrrpState.Backup;
        LastAdvertHeard = sim.Now;
        sim.Log($"{Name}: boots");
        StartDaemon();
    }

    /// <summary>A datagram from the peer, direct or relayed by a site: what HubSyncChannel and the loop do with it.</summary>
    public void Receive(byte[] datagram, bool direct)
    {
        if (!DaemonUp || assembler!.Add(datagram, direct).Message is not { } message || guard!.Admit(message) is not null)
            return;
        Pass(new HubEvidence { PeerMessages = [new ReceivedSyncMessage(message, sim.Now, direct)] });
    }

    public void Record(CheckResult result) => Pass(new HubEvidence { Probes = [ProbeObservation.For(Service, result)] });

    /// <summary>An operator command, as the control socket hands it to the loop.</summary>
    public CommandOutcome Command(OperatorCommand command) => Pass(new HubEvidence { Commands = [command] })!.Answers[0];

    /// <summary>A pass of the hub loop with nothing new but time: heartbeats, rechecks.</summary>
    public void Tick() => Pass(HubEvidence.None);

    /// <summary>One pass of the hub loop in a pair: the VIPs read, one engine step, the step carried out.</summary>
    private HubStep? Pass(HubEvidence evidence)
    {
        if (!DaemonUp)
            return null;
        var step = engine!.Step(evidence with { Vips = HoldsVips ? new VipHolding([Vip], []) : new VipHolding([], [Vip]) });
        var pair = step.Pair!;
        var role = pair.Role;
        TrackYield = !pair.Track.Healthy;
        if (TrackYield && Vrrp != VrrpState.Down)
            Vrrp = VrrpState.Fault; // keepalived watches the track file: it reacts at once
        if (step.Intent is { } intent)
            Intent = intent;
        // The hub loop sleeps until this time: one not after now would wake it at once, pass after pass.
        if (step.NextWakeUp is { } wakeUp && wakeUp <= sim.Now)
            sim.Fail($"{Name}: the step asks to be woken at {wakeUp:HH:mm:ss.fff}, not after now ({sim.Now:HH:mm:ss.fff}): the loop would spin ({role.Role}: {role.Reason})");
        sim.Decisions++;
        if (step.Journal is { } journal)
            Journal = journal.ToDictionary(r => r.Service);
        CheckEpoch();
        if (lastRole is null || lastRole.Role != role.Role || lastRole.Yield != role.Yield)
            sim.Log($"{Name}: {role.Role}{(role.Yield ? ", yields" : "")}: {role.Reason}");
        lastRole = role;
        if (pair.Send is { } draft)
        {
            foreach (var part in codec.Encode(sequence!.Next(draft.HoldsVips, draft.Services, draft.Intent)))
                sim.Send(this, part);
        }
        return step;
    }

    /// <summary>Epochs never go down on a hub, over restarts too, every switch raises them, and they do not run away.</summary>
    private void CheckEpoch()
    {
        var current = Decider!.Current;
        if (current.Epoch < LastEpoch)
            sim.Fail($"{Name}: epoch went down from {LastEpoch} to {current.Epoch}");
        if (current.ServingSite != lastServing)
        {
            sim.Switches++;
            if (current.Epoch <= LastEpoch)
                sim.Fail($"{Name}: switched {lastServing ?? "(none)"} → {current.ServingSite ?? "(none)"} without raising epoch {LastEpoch}");
            sim.Log($"{Name}: {Decider.History[^1]} (epoch {current.Epoch})");
            LastServingChange = sim.Now;
            lastServing = current.ServingSite;
        }
        else if (current.Epoch != LastEpoch)
        {
            sim.Log($"{Name}: epoch {LastEpoch} → {current.Epoch} on {current.ServingSite ?? "(none)"}");
        }

        // An epoch rises with a switch here, or with one on the peer: more than all switches means two hubs chasing each other.
        if (current.Epoch > sim.Switches + 1)
            sim.Fail($"{Name}: epoch {current.Epoch} after {sim.Switches} switches on both hubs: epochs run away");
        LastEpoch = current.Epoch;
    }
}
