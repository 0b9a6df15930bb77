using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// The site agent's metrics: its build, its tunnels to the hubs (wireguard_exporter's names, labelled by hub),
/// the verdict of its local checks it reports, and its failed reconcile passes. Fed by the agent's loop.
/// </summary>
public sealed class SiteMetrics
{
    private readonly WireGuardPeerMetrics _wireGuard;
    private readonly Gauge _reportHealthy;
    private readonly Counter _reconcileErrors;

    public SiteMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        BuildInfo.Register(factory, "site");
        _wireGuard = new WireGuardPeerMetrics(factory, "hub");
        _reportHealthy = factory.CreateGauge(MetricNames.SiteReportHealthy, "1 when the site's local checks pass and it reports healthy to the hubs, 0 when it reports unhealthy.");
        _reconcileErrors = factory.CreateCounter(MetricNames.ReconcileErrors, "Failed reconcile passes (tunnels, return path, reports).", "stage");
        _reconcileErrors.WithLabels("pass");
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    /// <summary>The site's interface towards <paramref name="hub"/> as read this pass.</summary>
    public void WireGuardRead(string interfaceName, HubNode hub, WireGuardDeviceState? device) =>
        _wireGuard.Observe(interfaceName, device, new Dictionary<WireGuardKey, string> { [hub.PublicKey] = hub.Name });

    public void Reported(bool healthy) => _reportHealthy.Set(healthy ? 1 : 0);

    public void ReconcileFailed() => _reconcileErrors.WithLabels("pass").Inc();
}
