namespace Keepwire.Decisions;

/// <summary>Bounds for the signals that are not probes.</summary>
/// <param name="HandshakeStaleAfter">
/// A WireGuard session re-handshakes every 2 minutes while packets flow (keepalives and probes make
/// sure they do) and is dead after 3 minutes without one (REJECT_AFTER_TIME). An age beyond 3 minutes
/// plus slack therefore means the tunnel is down, whatever the probes say. Far too slow to detect a
/// failure on its own; it catches a tunnel that probes cannot see, such as a stale cached route.
/// </param>
public sealed record HealthTrackerOptions(TimeSpan HandshakeStaleAfter)
{
    public static readonly HealthTrackerOptions Default = new(TimeSpan.FromSeconds(185));
}
