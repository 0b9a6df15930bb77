using System.Net;
using Keepwire.Decisions;

namespace Keepwire.Health;

/// <summary>One check of one service against one site: what the scheduler runs on its interval.</summary>
/// <param name="Address">The site's tunnel address the probe goes to.</param>
public sealed record ProbeTarget(string Service, string Site, IPAddress Address, IHealthCheck Check);

/// <summary>A probe result, labelled with the service whose decider it belongs to.</summary>
public sealed record ServiceCheckResult(string Service, CheckResult Result);
