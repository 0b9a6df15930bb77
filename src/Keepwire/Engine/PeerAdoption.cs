using Keepwire.Decisions;

namespace Keepwire.Engine;

/// <summary>What adopting the leader's decisions changed, so the hub applies and persists just that.</summary>
/// <param name="Switched">Decisions whose serving site changed: apply them like switches (an unplanned one flushes the old site's flows).</param>
/// <param name="DecisionsChanged">Any site, epoch, since or hold-down changed: save the decision journal.</param>
/// <param name="Mismatched">Services the leader decides that this hub cannot follow (unknown here, or a site not allowed here): the configs differ.</param>
internal sealed record PeerAdoption(IReadOnlyList<ServiceDecision> Switched, bool DecisionsChanged, IReadOnlyList<string> Mismatched);
