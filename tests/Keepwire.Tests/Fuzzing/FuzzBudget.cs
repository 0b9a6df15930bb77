using CsCheck;
using Xunit.Abstractions;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The iteration-counted way to run a fuzz property, for the wire codecs and the control socket: in the test
/// suite a fixed number of iterations (the same work whatever the machine's speed, which matters for
/// properties that open a real socket per sample); <c>scripts/fuzz --seconds N</c> sets
/// <see cref="FuzzSettings.SecondsVariable"/> and they run for a time instead, like <see cref="Fuzz.Property{T}"/>.
/// <c>KEEPWIRE_FUZZ_SEED</c> replays a reported failure.
/// </summary>
internal static class FuzzBudget
{
    private const long DefaultIterations = 2000;

    public static long Iterations =>
        long.TryParse(Environment.GetEnvironmentVariable("KEEPWIRE_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : DefaultIterations;

    /// <summary>Seconds per property; -1 (the default) runs <see cref="Iterations"/> instead.</summary>
    public static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable(FuzzSettings.SecondsVariable), out var s) && s > 0 ? s : -1;

    public static string? Seed => Environment.GetEnvironmentVariable("KEEPWIRE_FUZZ_SEED");

    /// <summary>Runs <paramref name="property"/> on samples of <paramref name="gen"/> within the budget; a failure reports its seed.</summary>
    /// <param name="share">Iterations per default budget, for properties whose samples are costly (a real socket each).</param>
    public static void Run<T>(Gen<T> gen, Action<T> property, ITestOutputHelper output, int threads = -1, double share = 1) =>
        gen.Sample(property, writeLine: output.WriteLine, seed: Seed, iter: Seconds > 0 ? -1 : Math.Max(1, (long)(Iterations * share)), time: Seconds, threads: threads);
}
