using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>One seeded run: its first invariant violation (or null), its schedule, its trace, and what it counted.</summary>
internal sealed record SeededRun(string? Violation, string Schedule, IReadOnlyList<string> Trace, IReadOnlyDictionary<string, long> Counts);

/// <summary>
/// Runs seeds 1..N of a simulation in parallel and fails with the lowest failing seed's report; or,
/// when <c>seedVariable</c> is set, runs only that seed and prints its schedule and whole trace.
/// </summary>
internal static class SeededRuns
{
    /// <returns>The counts summed over all runs (empty when replaying one seed).</returns>
    public static IReadOnlyDictionary<string, long> Run(ITestOutputHelper output, string seedVariable, int count, Func<int, SeededRun> run)
    {
        if (Environment.GetEnvironmentVariable(seedVariable) is { } replay)
        {
            var one = run(int.Parse(replay));
            output.WriteLine(one.Schedule);
            foreach (var line in one.Trace)
                output.WriteLine(line);
            Assert.True(one.Violation is null, one.Violation);
            return new Dictionary<string, long>();
        }

        var watch = Stopwatch.StartNew();
        var failures = new ConcurrentBag<(int Seed, string Report)>();
        var totals = new ConcurrentDictionary<string, long>();
        Parallel.For(1, count + 1, seed =>
        {
            var result = run(seed);
            foreach (var (name, value) in result.Counts)
                totals.AddOrUpdate(name, value, (_, sum) => sum + value);
            if (result.Violation is not null)
                failures.Add((seed, $"{result.Violation}\n{result.Schedule}\nlast steps:\n{string.Join('\n', result.Trace.TakeLast(60))}"));
        });

        output.WriteLine($"{count} schedules, {string.Join(", ", totals.OrderBy(t => t.Key).Select(t => $"{t.Value} {t.Key}"))} in {watch.Elapsed.TotalSeconds:0.0} s");
        if (!failures.IsEmpty)
        {
            var first = failures.MinBy(f => f.Seed);
            Assert.Fail($"{failures.Count} of {count} schedules broke an invariant (seeds {string.Join(", ", failures.Select(f => f.Seed).Order().Take(20))}). " +
                $"Replay one with {seedVariable}={first.Seed}.\n{first.Report}");
        }

        return totals;
    }
}
