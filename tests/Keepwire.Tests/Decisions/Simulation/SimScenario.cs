using System.Text;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>What is true of a site's service at some moment, as the probes will find it.</summary>
internal enum Fault
{
    Up,

    /// <summary>Dead, answering fast (RST, ICMP unreachable): probes fail at once.</summary>
    Refused,

    /// <summary>Dead and silent (tunnel down, host frozen): probes time out.</summary>
    Blackhole,

    /// <summary>Alive but losing some probes: neither up nor down for the invariants.</summary>
    Lossy,
}

internal abstract record SimEvent(TimeSpan At);

internal sealed record FaultEvent(TimeSpan At, string Site, Fault Fault, double Loss) : SimEvent(At)
{
    public override string ToString() => $"+{At.TotalSeconds:0.000}s {Site} {Fault}{(Fault == Fault.Lossy ? $" p={Loss}" : "")}";
}

internal sealed record DrainEvent(TimeSpan At, string Site, bool Drain) : SimEvent(At)
{
    public override string ToString() => $"+{At.TotalSeconds:0.000}s {(Drain ? "drain" : "undrain")} {Site}";
}

/// <summary>`keepwire failover SERVICE --to SITE`, or unpin when <paramref name="Site"/> is null.</summary>
internal sealed record PinEvent(TimeSpan At, string? Site) : SimEvent(At)
{
    public override string ToString() => $"+{At.TotalSeconds:0.000}s {(Site is null ? "unpin" : $"pin {Site}")}";
}

internal sealed record RestartEvent(TimeSpan At) : SimEvent(At)
{
    public override string ToString() => $"+{At.TotalSeconds:0.000}s daemon restart (restore previous decision)";
}

/// <summary>One random fault schedule, fully determined by its seed.</summary>
internal sealed record SimScenario(
    int Seed,
    IReadOnlyList<(string Name, int Priority)> Sites,
    CheckDefinition Check,
    ServicePolicy ServicePolicy,
    FailoverPolicyOptions Policy,
    TimeSpan Duration,
    IReadOnlyList<SimEvent> Events)
{
    public const string LastResortSite = "sorry";

    public static SimScenario Generate(int seed)
    {
        var rng = new Random(seed);
        var sites = RandomSites(rng);
        var check = new CheckDefinition("http", CheckKind.Http)
        {
            // The simulated probes keep one pace (Health/ProbeCadence is tested on its own): the bounds are the even pace's.
            Interval = TimeSpan.FromMilliseconds(Pick(rng, 100, 200, 300)),
            Timeout = TimeSpan.FromMilliseconds(Pick(rng, 100, 250, 400)),
            Rise = rng.Next(1, 5),
            Fall = rng.Next(1, 6),
        };
        check = check with { FastInterval = check.Interval };
        var policy = RandomPolicy(rng);
        var duration = TimeSpan.FromSeconds(40);

        var events = new List<SimEvent>();
        foreach (var (site, _) in sites)
        {
            events.Add(rng.NextDouble() < 0.75 ? new FaultEvent(TimeSpan.Zero, site, Fault.Up, 0) : RandomFault(rng, TimeSpan.Zero, site));
            var t = TimeSpan.Zero;
            while (true)
            {
                t += Millis(-Math.Log(1 - rng.NextDouble()) * 5000);
                if (t >= duration)
                    break;
                if (rng.NextDouble() < 0.15)
                {
                    // Flapping: up and down every 50-600 ms for 1-4 s.
                    var end = t + Millis(rng.Next(1000, 4000));
                    var up = false;
                    for (; t < end && t < duration; t += Millis(rng.Next(50, 600)))
                    {
                        events.Add(new FaultEvent(t, site, up ? Fault.Up : Fault.Refused, 0));
                        up = !up;
                    }

                    if (t < duration)
                        events.Add(RandomFault(rng, t, site));
                }
                else
                {
                    events.Add(RandomFault(rng, t, site));
                }
            }
        }

        if (rng.NextDouble() < 0.3)
            events.AddRange(DrainWindows(rng, sites, duration, rng.Next(1, 4), 1000, 8000));

        if (rng.NextDouble() < 0.25)
            events.Add(new RestartEvent(Millis(rng.Next(1000, (int)duration.TotalMilliseconds - 1000))));

        // Manual services and their operator actions come from a second generator, so every
        // failover schedule stays exactly what its seed gave before manual schedules existed.
        var operatorRng = new Random(Scramble(seed));
        var servicePolicy = operatorRng.NextDouble() < 0.3 ? ServicePolicy.Manual : ServicePolicy.Failover;
        if (servicePolicy == ServicePolicy.Manual)
            events.AddRange(OperatorActions(operatorRng, sites, duration));

        return new SimScenario(seed, sites, check, servicePolicy, policy, duration, [.. events.Where(e => e.At < duration).OrderBy(e => e.At)]);
    }

    /// <summary>2-4 sites s0, s1, … with distinct priorities in random order (the draws every simulation starts with).</summary>
    public static List<(string Name, int Priority)> RandomSites(Random rng)
    {
        var priorities = new[] { 100, 200, 300, 400 }.OrderBy(_ => rng.Next()).ToArray();
        return [.. Enumerable.Range(0, rng.Next(2, 5)).Select(i => ($"s{i}", priorities[i]))];
    }

    /// <summary>A random failover policy: preempt or not, its delay, hold-down, startup grace, keep-last or last resort.</summary>
    public static FailoverPolicyOptions RandomPolicy(Random rng) => new(
        Preempt: rng.NextDouble() < 0.6,
        PreemptDelay: TimeSpan.FromSeconds(Pick(rng, 0, 1, 5)),
        HoldDown: TimeSpan.FromSeconds(Pick(rng, 0, 1, 3)),
        StartupGrace: TimeSpan.FromSeconds(Pick(rng, 0, 2)),
        NoHealthySite: rng.NextDouble() < 0.7 ? NoHealthySiteBehavior.KeepLast : NoHealthySiteBehavior.LastResort(LastResortSite));

    /// <summary>Pins, unpins and drains: the only things that may move a manual service.</summary>
    private static IEnumerable<SimEvent> OperatorActions(Random rng, List<(string Name, int Priority)> sites, TimeSpan duration)
    {
        for (var i = rng.Next(1, 6); i > 0; i--)
        {
            var at = Millis(rng.Next(0, (int)duration.TotalMilliseconds));
            yield return new PinEvent(at, rng.NextDouble() < 0.25 ? null : sites[rng.Next(sites.Count)].Name);
        }

        foreach (var drain in DrainWindows(rng, sites, duration, rng.Next(0, 4), 500, 10000))
            yield return drain;
    }

    /// <summary><paramref name="count"/> random sites drained at a random time, undrained between the two bounds later.</summary>
    public static IEnumerable<SimEvent> DrainWindows(Random rng, IReadOnlyList<(string Name, int Priority)> sites, TimeSpan duration, int count, int minMilliseconds, int maxMilliseconds)
    {
        for (var i = count; i > 0; i--)
        {
            var site = sites[rng.Next(sites.Count)].Name;
            var start = Millis(rng.Next(0, (int)duration.TotalMilliseconds));
            yield return new DrainEvent(start, site, true);
            yield return new DrainEvent(start + Millis(rng.Next(minMilliseconds, maxMilliseconds)), site, false);
        }
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {Seed}: sites {string.Join(", ", Sites.Select(s => $"{s.Name}(priority {s.Priority})"))}");
        text.AppendLine($"check: interval {Check.Interval.TotalMilliseconds} ms, timeout {Check.Timeout.TotalMilliseconds} ms, rise {Check.Rise}, fall {Check.Fall} (detection bound {Check.DetectionBound.TotalMilliseconds} ms)");
        text.AppendLine($"policy: {ServicePolicy}, {Policy}");
        text.AppendLine("schedule:");
        foreach (var e in Events)
            text.AppendLine($"  {e}");
        return text.ToString();
    }

    private static FaultEvent RandomFault(Random rng, TimeSpan at, string site)
    {
        var roll = rng.NextDouble();
        return roll switch
        {
            < 0.5 => new FaultEvent(at, site, Fault.Up, 0),
            < 0.7 => new FaultEvent(at, site, Fault.Refused, 0),
            < 0.9 => new FaultEvent(at, site, Fault.Blackhole, 0),
            _ => new FaultEvent(at, site, Fault.Lossy, Pick(rng, 0.05, 0.2, 0.5)),
        };
    }

    /// <summary>An integer hash (murmur3's finalizer): nearby seeds give System.Random correlated first draws.</summary>
    private static int Scramble(int seed)
    {
        var x = unchecked((uint)seed * 0x9E3779B9u);
        x ^= x >> 16;
        x = unchecked(x * 0x85EBCA6Bu);
        x ^= x >> 13;
        x = unchecked(x * 0xC2B2AE35u);
        x ^= x >> 16;
        return (int)(x & 0x7FFFFFFF);
    }

    private static T Pick<T>(Random rng, params T[] choices) => choices[rng.Next(choices.Length)];

    private static TimeSpan Millis(double ms) => TimeSpan.FromMilliseconds(Math.Round(ms));
}
