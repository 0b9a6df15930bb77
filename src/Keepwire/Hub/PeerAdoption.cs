using Keepwire.Decisions;

namespace Keepwire.Hub;

/// <summary>What adopting the leader's message changed, so the hub applies and persists just that.</summary>
/// <param name="Switched">Decisions whose serving site changed: apply them like switches (an unplanned one flushes the old site's flows).</param>
/// <param name="DecisionsChanged">Any site, epoch, since or hold-down changed: save the decision journal.</param>
/// <param name="IntentChanged">The leader's pins and drains differ from <c>intent</c>: save its intent as this hub's.</param>
/// <param name="Mismatched">Services the leader decides that this hub cannot follow (unknown here, or a site not allowed here): the configs differ.</param>
public sealed record PeerAdoption(IReadOnlyList<ServiceDecision> Switched, bool DecisionsChanged, bool IntentChanged, IReadOnlyList<string> Mismatched);
