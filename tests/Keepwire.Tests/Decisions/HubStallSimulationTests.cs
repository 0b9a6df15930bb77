using CsCheck;
using Keepwire.Tests.Decisions.Simulation;
using Keepwire.Tests.Fuzzing;
using Xunit.Abstractions;

namespace Keepwire.Tests.Decisions;

/// <summary>
/// The invariant "no switch caused only by a hub stall": every site healthy, the hub stalling at random, and no
/// service may fail over nor any site be counted unhealthy (<see cref="HubStallSimulation"/>). A property like the
/// fuzzers: a failure reports its seed, and <c>KEEPWIRE_FUZZ_SEED=… dotnet test --filter HubStallSimulationTests</c>
/// replays it; <c>scripts/fuzz --seconds N</c> runs it for as long as asked.
/// </summary>
public sealed class HubStallSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void No_switch_is_caused_only_by_hub_stalls() =>
        FuzzBudget.Run(Gen.Int[1, int.MaxValue], seed =>
        {
            var scenario = StallScenario.Generate(seed);
            var simulation = new HubStallSimulation(scenario);
            if (simulation.Run() is { } violation)
                throw new InvalidOperationException($"{violation}\n{scenario.Describe()}\nlast steps:\n{string.Join('\n', simulation.Trace.TakeLast(40))}");
        }, output, share: 0.2);

    /// <summary>
    /// Found by CI (CsCheck seed bq2gT8qtu0m7): stalls from +17.0 s to +22.5 s with gaps of 6–14 ms, every probe in them
    /// inconclusive, and the check went stale ("no result for 5 s") and counted a healthy site failed.
    /// </summary>
    [Fact]
    public void Seconds_of_back_to_back_stalls_leave_every_check_fresh()
    {
        var scenario = StallScenario.Generate(2110665282);
        var simulation = new HubStallSimulation(scenario);

        Assert.Null(simulation.Run());
        Assert.True(simulation.Inconclusive > 0, "the schedule no longer holds probes inconclusive; the regression is not exercised");
    }

    [Fact]
    public void The_stalls_do_make_healthy_sites_time_out_and_move_services_without_the_stall_evidence()
    {
        long falseTimeouts = 0, inconclusive = 0, moved = 0;
        for (var seed = 1; seed <= 100; seed++)
        {
            var with = new HubStallSimulation(StallScenario.Generate(seed));
            Assert.Null(with.Run());
            falseTimeouts += with.FalseTimeouts;
            inconclusive += with.Inconclusive;
            if (new HubStallSimulation(StallScenario.Generate(seed), withoutStallEvidence: true).Run() is not null)
                moved++;
        }

        output.WriteLine($"100 schedules: {falseTimeouts} false timeouts, {inconclusive} inconclusive; without the stall evidence {moved} schedules broke the invariant");
        // Seeded, so the counts are fixed (872 false timeouts, 856 inconclusive, 32 broken when written); the bounds
        // say what matters: the stalls fail healthy probes, the rule excuses nearly all of them (the rest wait as
        // failures of every site at once), and without the evidence a third of the schedules move a service.
        Assert.True(falseTimeouts > 500, $"only {falseTimeouts} false timeouts: the stalls hardly matter");
        Assert.True(inconclusive > falseTimeouts * 0.9, $"{inconclusive} inconclusive of {falseTimeouts} false timeouts");
        Assert.True(moved >= 20, $"without the stall evidence only {moved} of 100 schedules broke the invariant");
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var first = new HubStallSimulation(StallScenario.Generate(42));
        var second = new HubStallSimulation(StallScenario.Generate(42));
        first.Run();
        second.Run();

        Assert.Equal(StallScenario.Generate(42).Describe(), StallScenario.Generate(42).Describe());
        Assert.Equal(first.Trace, second.Trace);
        Assert.True(first.Steps > 100);
    }
}
