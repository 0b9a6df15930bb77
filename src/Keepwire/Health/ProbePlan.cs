using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// Which probes the hub runs: one <see cref="ProbeStream"/> per site and distinct check (<see cref="ProbeSpec"/>),
/// not one per service. Services that check the same thing on the same site subscribe to one stream; its
/// results are published once and fanned out to each subscriber's tracker (<see cref="ProbeStreamResult"/>).
/// So a site's probe rate is <c>Σ over its distinct specs of attempts / interval</c>, whatever the number of
/// services, and the configuration caps it (<see cref="ProbeSpec.MaxAttemptsPerSecondPerSite"/>).
/// Pure: config in, streams out.
/// </summary>
public sealed class ProbePlan
{
    private ProbePlan(IReadOnlyList<ProbeStream> streams) => Streams = streams;

    /// <summary>In site order (as in the config), then in the order services first use each check.</summary>
    public IReadOnlyList<ProbeStream> Streams { get; }

    public static ProbePlan For(ClusterConfig config)
    {
        var streams = new List<ProbeStream>();
        foreach (var site in config.Sites)
        {
            // Probes go to one tunnel address; IPv4 when the site has one (as every other hub-to-site path).
            if ((site.Tunnel.IPv4 ?? site.Tunnel.IPv6) is not { } address)
                continue;
            var bySpec = new Dictionary<ProbeSpec, (CheckDefinition First, List<ProbeSubscriber> Subscribers)>();
            var order = new List<ProbeSpec>();
            foreach (var service in config.Services.Where(s => s.Sites.Contains(site.Name)))
            {
                foreach (var check in service.Checks)
                {
                    var spec = ProbeSpec.Of(check);
                    if (!bySpec.TryGetValue(spec, out var entry))
                    {
                        bySpec[spec] = entry = (check, []);
                        order.Add(spec);
                    }
                    entry.Subscribers.Add(new ProbeSubscriber(service.Name, check.Name));
                }
            }
            streams.AddRange(order.Select(spec => new ProbeStream(site.Name, address, bySpec[spec].First, bySpec[spec].Subscribers)));
        }
        return new ProbePlan(streams);
    }

    /// <summary>Probe attempts a second the hub sends <paramref name="site"/>: connections, datagrams or programs.</summary>
    public double AttemptsPerSecond(string site) => Streams.Where(s => s.Site == site).Sum(s => s.Spec.AttemptsPerSecond);

    /// <summary>Probes a second of <paramref name="site"/>, over all its streams.</summary>
    public double ProbesPerSecond(string site) => Streams.Where(s => s.Site == site).Sum(s => s.Spec.ProbesPerSecond);
}

/// <summary>
/// One check run against one site on its interval, on behalf of every subscriber. <see cref="Check"/> is the
/// first subscriber's definition: subscribers differ only in names and rise/fall, which the probe never reads.
/// </summary>
/// <param name="Address">The site's tunnel address the probes go to.</param>
public sealed record ProbeStream(string Site, IPAddress Address, CheckDefinition Check, IReadOnlyList<ProbeSubscriber> Subscribers)
{
    public ProbeSpec Spec { get; } = ProbeSpec.Of(Check);

    /// <summary>For logs: "http check of web (and 499 more) against alpha".</summary>
    public string Describe() =>
        Subscribers.Count == 1
            ? $"{Check.Name} check of {Subscribers[0].Service} against {Site}"
            : $"{Check.Name} check of {Subscribers[0].Service} (and {Subscribers.Count - 1} more) against {Site}";
}

/// <summary>A service's check that takes its results from a stream, under the check's own name.</summary>
public readonly record struct ProbeSubscriber(string Service, string Check);

/// <summary>One probe's result, published once for its stream.</summary>
public sealed record ProbeStreamResult(ProbeStream Stream, CheckResult Result)
{
    /// <summary>How long the probe took, all its attempts together (zero when not measured).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The result as each subscribed service's tracker counts it: under that service's check name.</summary>
    public IEnumerable<ServiceCheckResult> PerService() =>
        Stream.Subscribers.Select(s => new ServiceCheckResult(s.Service, s.Check == Result.Check ? Result : Result with { Check = s.Check }));
}

/// <summary>A probe result, labelled with the service whose decider it belongs to.</summary>
public sealed record ServiceCheckResult(string Service, CheckResult Result);
