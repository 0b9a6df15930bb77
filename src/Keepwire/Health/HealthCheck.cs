using System.Net;
using Keepwire.Decisions;

namespace Keepwire.Health;

/// <summary>
/// The part every probe shares: the per-probe timeout (on the injected clock), turning exceptions
/// into failed results with a readable detail, and stamping the result's time.
/// </summary>
public abstract class HealthCheck(CheckDefinition definition, TimeProvider time) : IHealthCheck
{
    public CheckDefinition Definition { get; } = definition;

    protected TimeProvider Time { get; } = time;

    public async Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default)
    {
        using var timeout = new CancellationTokenSource(Definition.Timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        bool success;
        string detail;
        try
        {
            (success, detail) = await ProbeCoreAsync(site, address, linked.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            success = false;
            detail = timeout.IsCancellationRequested ? ProbeErrors.Timeout(Definition.Timeout) : ProbeErrors.Describe(e);
        }

        return new CheckResult(site, Definition.Name, Time.GetUtcNow(), success, detail);
    }

    /// <summary>One probe; may throw (socket errors, cancellation on timeout): the caller describes the exception.</summary>
    protected abstract Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken);

    /// <summary>The port to probe, or an error naming the check when it has none.</summary>
    protected int RequirePort(int? fallback = null) =>
        Definition.Port ?? fallback ?? throw new InvalidOperationException($"check {Definition.Name} has no port");

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
