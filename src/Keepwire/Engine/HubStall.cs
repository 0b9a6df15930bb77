namespace Keepwire.Engine;

/// <summary>
/// A stretch of time in which the hub itself did not run: its loop-lag timer fired this late, or a probe's timeout
/// fired this long after it was due (descheduled, a GC pause, a machine too busy to give it a core). An answer that
/// arrived then waited in a socket nobody read, so a timeout that ran through it says nothing about the site.
/// </summary>
public readonly record struct HubStall(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Length => End - Start;

    /// <summary>How much of [<paramref name="from"/>, <paramref name="to"/>] this stall covers.</summary>
    public TimeSpan Within(DateTimeOffset from, DateTimeOffset to)
    {
        var start = Start > from ? Start : from;
        var end = End < to ? End : to;
        return end > start ? end - start : TimeSpan.Zero;
    }
}
