using System.Net;
using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// One probe of one check, run from the hub to a site's tunnel address, so it tests the path real
/// traffic takes. Never throws for a failed probe: a failure is a <see cref="CheckResult"/> with a
/// detail a human can act on ("connection refused", "timeout after 250 ms", "status 503").
/// </summary>
public interface IHealthCheck : IDisposable
{
    CheckDefinition Definition { get; }

    /// <summary>Probes <paramref name="address"/> once, within <see cref="CheckDefinition.Timeout"/>. Throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task<CheckResult> ProbeAsync(string site, IPAddress address, CancellationToken cancellationToken = default);
}
