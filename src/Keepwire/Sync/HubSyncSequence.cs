using Keepwire.State;

namespace Keepwire.Sync;

/// <summary>
/// Stamps this hub's outgoing messages: its name, a boot id drawn once per daemon start, a sequence
/// that grows by one per message, and the time. A restarted daemon draws a new boot id, so it need
/// not remember its last sequence: the peer admits the new boot because it is newer.
/// </summary>
public sealed class HubSyncSequence(string node, TimeProvider time)
{
    private long _sequence;

    public string Node { get; } = node;

    public Guid BootId { get; } = Guid.NewGuid();

    public HubSyncMessage Next(bool holdsVips, IReadOnlyList<SyncedDecision> services, OperatorIntent intent) =>
        new(Node, BootId, Interlocked.Increment(ref _sequence), time.GetUtcNow(), holdsVips, services, intent);
}
