using System.Globalization;

namespace Keepwire.Engine;

/// <summary>What the hub made of its evidence without switching anything: results it did not count, and why.</summary>
public enum HubNoteKind
{
    /// <summary>A probe timed out while the hub itself stalled: neither a failure nor a success.</summary>
    ProbeInconclusive,

    /// <summary>Every site failed at once: the hub (or its uplink) is suspected, the failures wait for the next round.</summary>
    HubSuspected,

    /// <summary>The next round failed too: the held failures count.</summary>
    SuspicionConfirmed,

    /// <summary>A site answered in the next round: the failures of every site at once are not counted.</summary>
    SuspicionCleared,

    /// <summary>A site's liveness stream was lost: every service it serves leaves it in this pass.</summary>
    LivenessLost,

    /// <summary>A lost site answers its liveness stream again: its services wait for their checks.</summary>
    LivenessRegained,

    /// <summary>A liveness loss while the hub itself stalled: not counted, the next judgement decides.</summary>
    LivenessInconclusive,

    /// <summary>A serving site refused a forwarded client: its next failing probe takes it down at once.</summary>
    Refused,
}

/// <summary>
/// One thing the engine noted about its evidence, for <c>keepwire events</c>: "probe of alpha inconclusive: the hub
/// stalled 420 ms during it (http check: timeout after 250 ms); not counted".
/// </summary>
/// <param name="Sites">The sites it is about.</param>
/// <param name="Summary">One line for an operator.</param>
public sealed record HubNote(DateTimeOffset Time, HubNoteKind Kind, IReadOnlyList<string> Sites, string Summary)
{
    public override string ToString() => $"{Time:HH:mm:ss.fff} hub: {Summary}";

    internal static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
