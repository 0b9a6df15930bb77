using System.Runtime.CompilerServices;

namespace Keepwire.Security;

/// <summary>
/// Counts the inputs a surface refused, by reason, and says which are worth a log line: the 1st, 10th,
/// 100th… of each reason, so a steady problem (or a flood) stays visible without flooding the log.
/// Thread-safe.
/// </summary>
public sealed class RejectionCounter<TReason>
    where TReason : struct, Enum
{
    private readonly long[] _counts = new long[Enum.GetValues<TReason>().Length];

    /// <summary>Counts one more; returns how many so far.</summary>
    public long Count(TReason reason) => Interlocked.Increment(ref _counts[Index(reason)]);

    /// <summary>Every reason with its count so far.</summary>
    public IReadOnlyDictionary<TReason, long> Snapshot() =>
        Enum.GetValues<TReason>().ToDictionary(r => r, r => Interlocked.Read(ref _counts[Index(r)]));

    /// <summary>The reasons are enums numbered from 0 (their position), of underlying type int.</summary>
    private static int Index(TReason reason) => Unsafe.As<TReason, int>(ref reason);
}

/// <summary>Which occurrences of a repeated problem get a log line.</summary>
public static class RejectionCounter
{
    /// <summary>Whether the <paramref name="count"/>th occurrence gets a log line: a power of ten (1st, 10th, 100th…).</summary>
    public static bool WorthLogging(long count)
    {
        for (var n = 1L; n <= count; n *= 10)
        {
            if (n == count)
                return true;
        }
        return false;
    }
}
