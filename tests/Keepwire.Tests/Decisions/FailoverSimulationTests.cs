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
    public void Random_fault_schedules_keep_every_invariant() =>
        SeededRuns.Run(output, SeedVariable, ScheduleCount, seed =>
        {
            var scenario = SimScenario.Generate(seed);
            var simulation = new FailoverSimulation(scenario);
            var violation = simulation.Run();
            return new SeededRun(violation, scenario.Describe(), simulation.Trace, new Dictionary<string, long> { ["decisions"] = simulation.Decisions });
        });

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
