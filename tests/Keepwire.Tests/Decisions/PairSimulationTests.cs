using Keepwire.Tests.Decisions.Simulation;
using Xunit.Abstractions;

namespace Keepwire.Tests.Decisions;

/// <summary>
/// Random schedules of hub crashes, daemon deaths, hub isolation, partitions between the hubs, site
/// faults and operator actions against two hubs that share decisions and intent (see <see cref="PairSimulation"/>).
/// <c>KEEPWIRE_PAIR_SIM_SEED=N dotnet test --filter PairSimulationTests</c> replays one with its trace.
/// </summary>
public sealed class PairSimulationTests(ITestOutputHelper output)
{
    private const int ScheduleCount = 200;
    private const string SeedVariable = "KEEPWIRE_PAIR_SIM_SEED";

    [Fact]
    public void Random_hub_faults_never_split_the_serving_site_and_never_flip_it_by_themselves()
    {
        var counts = SeededRuns.Run(output, SeedVariable, ScheduleCount, seed =>
        {
            var scenario = PairScenario.Generate(seed);
            var simulation = new PairSimulation(scenario);
            var violation = simulation.Run();
            return new SeededRun(violation, scenario.Describe(), simulation.Trace, new Dictionary<string, long>
            {
                ["passes"] = simulation.Decisions,
                ["hub failovers checked"] = simulation.CheckedFailovers,
                ["split-brain ticks checked"] = simulation.CheckedSplitBrainTicks,
                ["intent ticks checked"] = simulation.CheckedIntentTicks,
                ["commands to one hub of a split brain"] = simulation.SplitBrainCommands,
            });
        });

        // The invariants must have had something to bite on (a replayed seed proves its point by its trace).
        if (counts.Count == 0)
            return;
        Assert.True(counts["hub failovers checked"] > ScheduleCount / 4, $"only {counts["hub failovers checked"]} hub failovers were checked");
        Assert.True(counts["split-brain ticks checked"] > 1000, $"only {counts["split-brain ticks checked"]} split-brain ticks were checked");
        Assert.True(counts["intent ticks checked"] > 10000, $"only {counts["intent ticks checked"]} intent ticks were checked");
        Assert.True(counts["commands to one hub of a split brain"] > 0, "no command reached a hub of a split brain");
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var first = new PairSimulation(PairScenario.Generate(42));
        var second = new PairSimulation(PairScenario.Generate(42));
        first.Run();
        second.Run();
        Assert.Equal(first.Trace, second.Trace);
    }
}
