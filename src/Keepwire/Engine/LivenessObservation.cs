namespace Keepwire.Engine;

/// <summary>
/// What the site liveness stream (<c>Health/Liveness</c>) says about a site: lost (it left <c>multiplier</c>
/// datagrams in a row unanswered for the detection time) or answering again. A loss is repeated every detection
/// time while it lasts, so a loss the engine judged inconclusive (the hub stalled through it) is judged again.
/// </summary>
/// <param name="Time">When the stream judged it, on the hub's clock.</param>
/// <param name="Alive">True: the site answers (again); false: lost.</param>
/// <param name="Detail">For an operator: "liveness lost for 150 ms (3 of 3 missed)", "liveness answering (rtt 0.4 ms)".</param>
/// <param name="Window">The detection time the loss was judged over; the hub must have run through it for the loss to count.</param>
public sealed record LivenessObservation(string Site, DateTimeOffset Time, bool Alive, string Detail, TimeSpan Window);
