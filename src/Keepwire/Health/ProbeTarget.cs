namespace Keepwire.Health;

/// <summary>A stream of the <see cref="ProbePlan"/> and the probe that runs it: what the scheduler runs on its interval.</summary>
public sealed record ProbeTarget(ProbeStream Stream, IHealthCheck Check);
