using System.Text;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>What happens to a hub node in a <see cref="PairScenario"/>.</summary>
internal enum HubFault
{
    /// <summary>The machine dies: keepalived and the daemon with it. It boots again at the end.</summary>
    Crash,

    /// <summary>The Keepwire daemon dies; keepalived's pid check gives the VIPs up after a grace.</summary>
    DaemonDeath,

    /// <summary>The hub's link is cut: no clients, no sites, no peer. keepalived runs on, blind.</summary>
    Isolation,

    /// <summary>Only the link between the two hubs is cut (VRRP adverts and direct sync); sites still relay.</summary>
    PairPartition,
}

/// <summary>A hub fault from <see cref="SimEvent.At"/> for <paramref name="Duration"/>; PairPartition ignores the hub.</summary>
internal sealed record HubFaultEvent(TimeSpan At, string Hub, HubFault Fault, TimeSpan Duration) : SimEvent(At)
{
    public override string ToString() =>
        $"+{At.TotalSeconds:0.000}s {(Fault == HubFault.PairPartition ? "pair link" : Hub)} {Fault} for {Duration.TotalSeconds:0.000}s";
}

/// <summary>
/// One random schedule for two hubs deciding one failover service: site faults, hub crashes, daemon
/// deaths, hub isolation, partitions between the hubs, and the operator's drains and pins, all
/// determined by the seed.
/// </summary>
internal sealed record PairScenario(
    int Seed,
    IReadOnlyList<(string Name, int Priority)> Sites,
    CheckDefinition Check,
    FailoverPolicyOptions Policy,
    TimeSpan Duration,
    IReadOnlyList<SimEvent> Events)
{
    public static readonly IReadOnlyList<(string Name, int Priority)> Hubs = [("hub1", 150), ("hub2", 100)];

    public static PairScenario Generate(int seed)
    {
        var rng = new Random(seed);
        var sites = SimScenario.RandomSites(rng);
        var check = new CheckDefinition("http", CheckKind.Http)
        {
            // The simulated probes keep one pace (Health/ProbeCadence is tested on its own): the bounds are the even pace's.
            Interval = TimeSpan.FromMilliseconds(Pick(rng, 100, 200)),
            Timeout = TimeSpan.FromMilliseconds(Pick(rng, 100, 250)),
            Rise = rng.Next(1, 4),
            Fall = rng.Next(1, 5),
        };
        check = check with { FastInterval = check.Interval };
        var policy = SimScenario.RandomPolicy(rng);
        var duration = TimeSpan.FromSeconds(60);

        var events = new List<SimEvent>();
        foreach (var (site, _) in sites)
        {
            // Sparser than in the one-hub simulation: a hub failover is checked only away from site faults.
            for (var t = Millis(-Math.Log(1 - rng.NextDouble()) * 25000); t < duration; t += Millis(-Math.Log(1 - rng.NextDouble()) * 25000))
            {
                var fault = rng.NextDouble() switch { < 0.5 => Fault.Up, < 0.75 => Fault.Refused, _ => Fault.Blackhole };
                events.Add(new FaultEvent(t, site, fault, 0));
            }
        }

        for (var i = rng.Next(3, 10); i > 0; i--)
        {
            var hub = Hubs[rng.Next(Hubs.Count)].Name;
            var fault = (HubFault)rng.Next(4);
            var at = Millis(rng.Next(3000, (int)duration.TotalMilliseconds - 5000));
            events.Add(new HubFaultEvent(at, hub, fault, Millis(rng.Next(300, 8000))));
        }

        if (rng.NextDouble() < 0.3)
            events.AddRange(SimScenario.DrainWindows(rng, sites, duration, rng.Next(1, 3), 1000, 8000));

        if (rng.NextDouble() < 0.2)
        {
            var start = Millis(rng.Next(0, (int)duration.TotalMilliseconds));
            events.Add(new PinEvent(start, sites[rng.Next(sites.Count)].Item1));
            events.Add(new PinEvent(start + Millis(rng.Next(1000, 15000)), null));
        }

        return new PairScenario(seed, sites, check, policy, duration, [.. events.Where(e => e.At < duration).OrderBy(e => e.At)]);
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {Seed}: hubs {string.Join(", ", Hubs.Select(h => $"{h.Name}(vrrp priority {h.Priority})"))}; sites {string.Join(", ", Sites.Select(s => $"{s.Name}(priority {s.Priority})"))}");
        text.AppendLine($"check: interval {Check.Interval.TotalMilliseconds} ms, timeout {Check.Timeout.TotalMilliseconds} ms, rise {Check.Rise}, fall {Check.Fall} (detection bound {Check.DetectionBound.TotalMilliseconds} ms)");
        text.AppendLine($"policy: {Policy}");
        text.AppendLine("schedule:");
        foreach (var e in Events)
            text.AppendLine($"  {e}");
        return text.ToString();
    }

    private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];

    private static TimeSpan Millis(double ms) => TimeSpan.FromMilliseconds(Math.Round(ms));
}
