using Keepwire.Decisions;

namespace Keepwire.Engine;

/// <summary>
/// One probe's result and every service check it answers for. Services that check the same thing on
/// the same site can share one probe: its result counts for each of them, under each one's check name.
/// </summary>
/// <param name="Result">The outcome; its <see cref="CheckResult.Check"/> is replaced by each subject's own check name.</param>
public sealed record ProbeObservation(CheckResult Result, IReadOnlyList<CheckSubject> Subjects)
{
    /// <summary>
    /// When the probe started and the timeout it ran under; null when not measured. With it a timed-out probe can be
    /// held against the hub's stalls (<see cref="StallRule"/>): without it a failure always counts.
    /// </summary>
    public ProbeTiming? Timing { get; init; }

    /// <summary>A probe that answers for one check of one service.</summary>
    public static ProbeObservation For(string service, CheckResult result) => new(result, [new CheckSubject(service, result.Check)]);
}

/// <summary>A check of a service: where a probe result is counted.</summary>
public readonly record struct CheckSubject(string Service, string Check);

/// <summary>When a probe started (on the hub's clock, as its result's time) and how long it was allowed to wait.</summary>
public readonly record struct ProbeTiming(DateTimeOffset Started, TimeSpan Timeout);
