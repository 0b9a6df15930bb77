using System.Threading.Channels;
using Keepwire.Adapters.Posix;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Health;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Keepwire.Reports;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// What watches the sites for one config: the liveness stream, the probes through the tunnel and the listener
/// for the sites' own reports. Built whole before it starts, so a reload builds the new set while the old one keeps running and
/// swaps them only when the new one is ready.
/// </summary>
internal sealed class HubObservers : IAsyncDisposable
{
    private readonly IReadOnlyList<IHealthCheck> _checks;
    private readonly CheckScheduler _scheduler;
    private readonly SiteReportListener _reports;

    private HubObservers(IReadOnlyList<IHealthCheck> checks, CheckScheduler scheduler, SiteReportListener reports, SiteLivenessMonitor? liveness)
    {
        _checks = checks;
        _scheduler = scheduler;
        _reports = reports;
        Liveness = liveness;
    }

    /// <summary>The sites' liveness stream; null when the config turns it off or the adapters have no socket for it.</summary>
    public SiteLivenessMonitor? Liveness { get; }

    /// <summary>The probe streams that run: one per site and distinct check (<see cref="ProbePlan"/>), however many services share it.</summary>
    public int ProbeTargets => _scheduler.Targets.Count;

    /// <summary>
    /// Builds the probes of <paramref name="config"/>'s <see cref="ProbePlan"/> and the report listener, starting
    /// nothing. Throws when a check cannot be built; whatever was built is disposed then.
    /// </summary>
    public static HubObservers Build(
        ClusterConfig config,
        HubNode hub,
        Func<CheckDefinition, IHealthCheck> createCheck,
        ChannelWriter<ProbeStreamResult> results,
        ChannelWriter<SiteAgentReport> reports,
        TimeProvider time,
        ILoggerFactory loggers,
        Func<LivenessSocketKind, ILivenessSocket>? openLiveness = null,
        ChannelWriter<LivenessObservation>? liveness = null,
        IReadOnlySet<string>? livenessAlreadyUp = null)
    {
        var checks = new List<IHealthCheck>();
        try
        {
            var targets = new List<ProbeTarget>();
            foreach (var stream in ProbePlan.For(config).Streams)
            {
                var check = createCheck(stream.Check);
                checks.Add(check);
                targets.Add(new ProbeTarget(stream, check));
            }
            var scheduler = new CheckScheduler(targets, results, time, loggers.CreateLogger<CheckScheduler>());
            var listener = new SiteReportListener(config, hub, reports, time, loggers.CreateLogger<SiteReportListener>());
            SiteLivenessMonitor? monitor = null;
            if (openLiveness is not null && liveness is not null)
            {
                var tunnel = new InterfaceIndexCache(hub.Interface, time);
                monitor = new SiteLivenessMonitor(config.Liveness, SiteLivenessMonitor.SitesOf(config, hub), openLiveness, tunnel.Matches, liveness, time, loggers.CreateLogger<SiteLivenessMonitor>(), livenessAlreadyUp);
            }
            return new HubObservers(checks, scheduler, listener, monitor);
        }
        catch
        {
            foreach (var check in checks)
                check.Dispose();
            throw;
        }
    }

    /// <summary>Starts <paramref name="site"/>'s probes now and keeps them at the fast pace until it passes again (<see cref="CheckScheduler.Hasten"/>).</summary>
    public void Hasten(string site) => _scheduler.Hasten(site);

    public void Start()
    {
        _scheduler.Start();
        _reports.Start();
        Liveness?.Start();
    }

    /// <summary>
    /// Stops probing and listening and waits for the probes under way. Every part is closed even when one fails
    /// (its sockets would otherwise stay open for the life of the daemon); the failures are thrown together at the end.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        await Close(_scheduler.DisposeAsync);
        await Close(_reports.DisposeAsync);
        if (Liveness is { } liveness)
            await Close(liveness.DisposeAsync);
        foreach (var check in _checks)
            await Close(() => { check.Dispose(); return ValueTask.CompletedTask; });
        if (failures.Count > 0)
            throw new AggregateException("closing the checks and listeners failed", failures);

        async ValueTask Close(Func<ValueTask> dispose)
        {
            try
            {
                await dispose();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
    }
}
