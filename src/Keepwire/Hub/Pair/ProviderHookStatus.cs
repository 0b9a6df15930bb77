namespace Keepwire.Hub.Pair;

/// <summary>The provider hook's part of <c>keepwire status</c> on a hub of a pair with <c>vip_mover: provider</c>.</summary>
/// <param name="State">
/// idle (this hub does not claim the VIPs), assigning (the first assign runs), confirmed (the provider routes them
/// here; checks follow), retrying (the last call failed; the next one waits out the backoff).
/// </param>
/// <param name="ConfirmedAt">The last assign or check that exited 0; null if none since this hub claimed the VIPs.</param>
/// <param name="ConsecutiveFailures">Failed calls since the last success.</param>
/// <param name="LastFailure">The last failed call: its action, exit code or timeout, and the first line of its output.</param>
/// <param name="Drifts">Checks that found the provider no longer routing the VIPs here (assigned again at once).</param>
public sealed record ProviderHookStatus(
    string State,
    IReadOnlyList<string> Vips,
    DateTimeOffset? ConfirmedAt,
    int ConsecutiveFailures,
    string? LastFailure,
    DateTimeOffset? LastFailureAt,
    long Assigns,
    long Checks,
    long Drifts,
    long Failures);
