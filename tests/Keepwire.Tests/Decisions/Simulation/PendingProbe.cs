namespace Keepwire.Tests.Decisions.Simulation;

/// <summary>A probe started and not yet reported: results are reported in the order probes started, as the scheduler does.</summary>
internal sealed class PendingProbe(bool success, string detail)
{
    public bool Success { get; } = success;

    public string Detail { get; } = detail;

    public bool Done { get; set; }
}
