using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Sync;

namespace Keepwire.Engine;

/// <summary>
/// Everything the hub learnt since its last step, and what the operator asked for: the input of
/// <see cref="HubEngine.Step"/>. The daemon gathers it (probes, reports, the kernel, the peer hub,
/// the control socket); a test or a simulation builds it by hand.
/// </summary>
public sealed record HubEvidence
{
    public static HubEvidence None { get; } = new();

    /// <summary>Probe results, in the order the probes started (per site and check).</summary>
    public IReadOnlyList<ProbeObservation> Probes { get; init; } = [];

    /// <summary>
    /// When the hub itself did not run, as its loop-lag monitor saw it (an open stall may come again, longer, next
    /// time). Stalls come before the probes in a step: a timeout that ran through one is not the site's failure.
    /// </summary>
    public IReadOnlyList<HubStall> Stalls { get; init; } = [];

    /// <summary>What the sites' liveness streams said: lost, or answering again (after the stalls, like the probes).</summary>
    public IReadOnlyList<LivenessObservation> Liveness { get; init; } = [];

    /// <summary>Serving sites that refused forwarded clients, as the table logged them (before the probes, like the stalls).</summary>
    public IReadOnlyList<RefusedFlow> Refusals { get; init; } = [];

    /// <summary>What site agents said about themselves.</summary>
    public IReadOnlyList<SiteAgentReport> Reports { get; init; } = [];

    /// <summary>The hub's WireGuard interface as read this pass (its peers' handshakes); null when not read this pass.</summary>
    public WireGuardReading? WireGuard { get; init; }

    /// <summary>Admitted messages from the peer hub of a pair.</summary>
    public IReadOnlyList<ReceivedSyncMessage> PeerMessages { get; init; } = [];

    /// <summary>
    /// In a pair: which VIPs are on this hub's public interface now (level-triggered, read every pass).
    /// Null when they could not be read: this hub then keeps what the last read said, and deletes nothing.
    /// </summary>
    public VipHolding? Vips { get; init; }

    /// <summary>Why this hub cannot forward right now (its tunnel or table failed to apply), or null: a pair hub then gives the VIPs up.</summary>
    public string? DataPathFault { get; init; }

    /// <summary>Put the whole desired data plane in the step even without a switch: a periodic resync, or a retry after a failed apply.</summary>
    public bool RefreshDataPlane { get; init; }

    /// <summary>The operator's commands, answered in <see cref="HubStep.Answers"/> in the same order.</summary>
    public IReadOnlyList<OperatorCommand> Commands { get; init; } = [];
}

/// <summary>The hub's WireGuard interface as read from the kernel; <paramref name="Device"/> null when the interface does not exist.</summary>
public sealed record WireGuardReading(WireGuardDeviceState? Device);
