namespace Keepwire.Health;

/// <summary>
/// When a probe's further attempts start: not all at once, but only when the first has not answered within a
/// few times the usual answer time ("hedged requests", as in Dean and Barroso's "The Tail at Scale"). A
/// healthy site answers the first attempt in a millisecond or two, so a probe usually costs one connection
/// instead of <see cref="Keepwire.Model.CheckDefinition.Attempts"/>; when a packet of the first attempt is
/// lost, its retransmission comes far too late (200 ms to 1 s) and the hedge starts the others in time. The
/// loss arithmetic of parallel attempts still holds because the hedge always leaves the others room to answer:
/// it starts no later than <c>timeout − 2 × usual</c>, and at once while nothing is known yet or when the
/// first attempt fails outright. Thread-safe: overlapping probes of one check share it.
/// </summary>
public sealed class AttemptHedging
{
    /// <summary>The usual answer time is smoothed over about this many answers.</summary>
    private const double Smoothing = 0.2;

    /// <summary>Hedge after this many usual answer times.</summary>
    private const double Patience = 3;

    /// <summary>Never hedge earlier than this: a busy hub is late by a few milliseconds now and then.</summary>
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(10);

    private long usualTicks = -1;

    /// <summary>The smoothed time successful attempts took; null before the first.</summary>
    public TimeSpan? Usual => Interlocked.Read(ref usualTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>How long after the first attempt the others start, within a probe that times out after <paramref name="timeout"/>.</summary>
    public TimeSpan DelayWithin(TimeSpan timeout)
    {
        if (Usual is not { } usual)
            return TimeSpan.Zero;
        var latest = timeout - (2 * usual);
        if (latest <= TimeSpan.Zero)
            return TimeSpan.Zero;
        var wanted = Patience * usual;
        return wanted < Floor ? Min(Floor, latest) : Min(wanted, latest);
    }

    /// <summary>Learns from a successful attempt how long answers take.</summary>
    public void Answered(TimeSpan took)
    {
        var ticks = Math.Max(0, took.Ticks);
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref usualTicks);
            next = seen < 0 ? ticks : (long)(seen + (Smoothing * (ticks - seen)));
        }
        while (Interlocked.CompareExchange(ref usualTicks, next, seen) != seen);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
