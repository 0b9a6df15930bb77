using System.Diagnostics;
using Keepwire.Tests.Decisions.Simulation;
using Xunit.Abstractions;

namespace Keepwire.Tests.Decisions;

/// <summary>
/// Thousands of random fault schedules (deaths, recoveries, flapping, timeouts, loss, drains,
/// restarts) against the decision core on a fake clock. A failure prints its seed and schedule;
/// <c>KEEPWIRE_SIM_SEED=N dotnet test --filter FailoverSimulationTests</c> replays exactly that one,
/// with the full trace.
/// </summary>
public sealed class FailoverSimulationTests(ITestOutputHelper output)
{
    private const int ScheduleCount = 1500;
    private const string SeedVariable = "KEEPWIRE_SIM_SEED";

    [Fact]
    public void Random_fault_schedules_keep_every_invariant()
    {
        if (Environment.GetEnvironmentVariable(SeedVariable) is { } replay)
        {
            var seed = int.Parse(replay);
            var simulation = new FailoverSimulation(SimScenario.Generate(seed));
            var violation = simulation.Run();
            output.WriteLine(SimScenario.Generate(seed).Describe());
            foreach (var line in simulation.Trace)
                output.WriteLine(line);
            Assert.True(violation is null, violation);
            return;
        }

        var watch = Stopwatch.StartNew();
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Seed, string Report)>();
        long decisions = 0;
        Parallel.For(1, ScheduleCount + 1, seed =>
        {
            var scenario = SimScenario.Generate(seed);
            var simulation = new FailoverSimulation(scenario);
            var violation = simulation.Run();
            Interlocked.Add(ref decisions, simulation.Decisions);
            if (violation is not null)
                failures.Add((seed, $"{violation}\n{scenario.Describe()}\nlast steps:\n{string.Join('\n', simulation.Trace.TakeLast(40))}"));
        });

        output.WriteLine($"{ScheduleCount} schedules, {decisions} decisions in {watch.Elapsed.TotalSeconds:0.0} s");
        if (!failures.IsEmpty)
        {
            var first = failures.MinBy(f => f.Seed);
            Assert.Fail($"{failures.Count} of {ScheduleCount} schedules broke an invariant (seeds {string.Join(", ", failures.Select(f => f.Seed).Order().Take(20))}). " +
                $"Replay one with {SeedVariable}={first.Seed}.\n{first.Report}");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_run()
    {
        Assert.Equal(SimScenario.Generate(42).Describe(), SimScenario.Generate(42).Describe());
        var first = new FailoverSimulation(SimScenario.Generate(42));
        var second = new FailoverSimulation(SimScenario.Generate(42));
        first.Run();
        second.Run();
        Assert.Equal(first.Trace, second.Trace);
        Assert.True(first.Decisions > 100);
    }
}
