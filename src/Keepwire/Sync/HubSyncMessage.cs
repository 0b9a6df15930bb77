using Keepwire.State;

namespace Keepwire.Sync;

/// <summary>
/// What one hub of a pair tells the other, every advert interval and after every switch: whether it
/// holds the VIPs, every service's decision and the operator's intent. The peer follows it when it is
/// the active hub (see <see cref="PeerHubView"/>). Sent directly and relayed unchanged by every site,
/// so it is authenticated end to end (<see cref="HubSyncCodec"/>) and ordered per boot.
/// </summary>
/// <param name="Node">The sending hub's name. The receiver accepts only its peer's.</param>
/// <param name="BootId">New for every daemon start, so a restarted peer's sequence may begin again at 1.</param>
/// <param name="Sequence">Strictly increasing within one boot: replays, duplicates and reordered copies are dropped by it.</param>
/// <param name="SentAt">The sender's clock. Checked against a freshness window, so both hubs need NTP-synchronised clocks.</param>
/// <param name="HoldsVips">The VIPs are on the sender's public interface right now (level-triggered, not from notify scripts).</param>
public sealed record HubSyncMessage(
    string Node,
    Guid BootId,
    long Sequence,
    DateTimeOffset SentAt,
    bool HoldsVips,
    IReadOnlyList<SyncedDecision> Services,
    OperatorIntent Intent)
{
    /// <summary>The decision for <paramref name="service"/>, or null when the sender has none.</summary>
    public SyncedDecision? Find(string service) => Services.FirstOrDefault(s => s.Service == service);
}
