using System.Threading.Channels;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Health;
using Keepwire.Hub.Pair;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Reports;
using Keepwire.State;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// The hub: probes every site through the tunnel, decides per service which site serves, and keeps
/// the WireGuard interface, the VIPs and the forwarding table matching that, level-triggered.
/// Everything that touches the decisions runs on one loop, under one gate: probe results, timers,
/// operator commands and reloads. A restarted daemon adopts the table it finds and continues with
/// the decisions it journaled, so a restart neither rebuilds the data path nor flips a service.
/// </summary>
public sealed partial class HubDaemon : IAsyncDisposable
{
    private readonly HubDaemonOptions _options;
    private readonly ICommandRunner _runner;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly StateStore _store;
    private readonly DecisionJournal _journal;
    private readonly HubNetworkReconciler _network;
    private readonly ForwardingReconciler _forwarding;
    private readonly IConntrack _conntrack;
    private readonly IWireGuard _wireGuard;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<ServiceCheckResult> _results = Channel.CreateUnbounded<ServiceCheckResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<SiteAgentReport> _reports = Channel.CreateBounded<SiteAgentReport>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    private ClusterConfig _config;
    private HubNode _hub;
    private DateTimeOffset _configLoadedAt;
    private OperatorIntent _intent;
    private ServiceDecisions _decisions;
    private CheckScheduler? _scheduler;
    private IReadOnlyList<IHealthCheck> _checks = [];
    private SiteReportListener? _reportListener;
    private HubPair? _pair;
    private DateTimeOffset? _lastReconcileAt;
    private string? _lastError;

    private HubDaemon(HubDaemonOptions options, ClusterConfig config, HubNode hub, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _runner = runner;
        _loggers = loggers;
        _logger = loggers.CreateLogger("keepwire.hub");
        _time = time;
        _store = new StateStore(options.StateDirectory, loggers.CreateLogger<StateStore>());
        _journal = new DecisionJournal(options.StateDirectory, loggers.CreateLogger<DecisionJournal>());
        _wireGuard = new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>());
        _network = new HubNetworkReconciler(_wireGuard, new RoutingCli(runner), new Sysctl(runner), loggers.CreateLogger<HubNetworkReconciler>());
        _forwarding = new ForwardingReconciler(new NftablesCli(runner), loggers.CreateLogger<ForwardingReconciler>());
        _conntrack = new ConntrackCli(runner);
        _config = config;
        _hub = hub;
        _configLoadedAt = time.GetUtcNow();
        _intent = _store.LoadIntent();
        _decisions = new ServiceDecisions(config, _intent, _journal.Load(), time);
        _pair = HubPair.Create(config, hub, HubRunPaths.For(options), runner, loggers, time);
    }

    /// <summary>Loads the config and builds the daemon; a bad config is an error here, before anything is touched.</summary>
    public static HubDaemon Create(HubDaemonOptions options, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        var (config, hub) = LoadConfig(options);
        return new HubDaemon(options, config, hub, runner, loggers, time);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        Log.Starting(_logger, _hub.Name, _options.ConfigPath);
        await using var control = new ControlServer(_options.SocketPath, new HubControl(this), _logger);
        control.Start();
        using var reload = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGHUP,
            context =>
            {
                context.Cancel = true;
                _ = ReloadAsync(CancellationToken.None);
            });
        if (_pair is not null)
            await _pair.StartAsync(stopping);
        StartProbes();

        var nextReconcile = _time.GetUtcNow();
        while (!stopping.IsCancellationRequested)
        {
            await _gate.WaitAsync(stopping);
            try
            {
                while (_results.Reader.TryRead(out var result))
                    _decisions.Record(result);
                while (_reports.Reader.TryRead(out var report))
                    _decisions.RecordAgentReport(report);
                while (_pair is not null && _pair.Received.TryRead(out var message))
                    _pair.Observe(message);
                var reconcileDue = _time.GetUtcNow() >= nextReconcile;
                if (reconcileDue)
                {
                    await ReconcileNetworkAsync(stopping);
                    nextReconcile = _time.GetUtcNow() + _options.ReconcileInterval;
                }
                await DecideAndApplyAsync(forceReconcile: reconcileDue, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            finally
            {
                _gate.Release();
            }

            try
            {
                await WaitForWorkAsync(nextReconcile, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await StopProbesAsync();
        await WaitForFlowFlushesAsync();
        if (_pair is not null)
            await _pair.DisposeAsync();
        // A clean stop leaves the data path in place: traffic keeps flowing while the daemon is away.
        Log.Stopped(_logger, _hub.Name);
    }

    /// <summary>Sleeps until a probe result arrives, a decision needs a recheck, or the next reconcile pass is due.</summary>
    private async Task WaitForWorkAsync(DateTimeOffset nextReconcile, CancellationToken stopping)
    {
        var until = _decisions.NextRecheck() is { } recheck && recheck < nextReconcile ? recheck : nextReconcile;
        if (_pair?.NextWakeUp is { } pairDue && pairDue < until)
            until = pairDue;
        var delay = until - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
            return;
        using var wakeUp = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var timer = Task.Delay(delay, _time, wakeUp.Token);
        var result = _results.Reader.WaitToReadAsync(wakeUp.Token).AsTask();
        var report = _reports.Reader.WaitToReadAsync(wakeUp.Token).AsTask();
        var sync = _pair?.Received.WaitToReadAsync(wakeUp.Token).AsTask() ?? Task.Delay(Timeout.Infinite, wakeUp.Token);
        await Task.WhenAny(timer, result, report, sync);
        await wakeUp.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }

    /// <summary>WireGuard interface, peers, addresses and VIPs; and the handshake signal for the decisions.</summary>
    private async Task ReconcileNetworkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _network.ReconcileAsync(_config, _hub, cancellationToken);
            _decisions.RecordHandshakes(_config, await _wireGuard.ReadAsync(_hub.Interface, cancellationToken));
            _lastError = null;
            if (_pair is not null)
                await EnsurePairDaemonsAsync(_pair, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep running: the kernel keeps the last good state, and the next pass retries.
            Fail(e);
        }
    }

    /// <summary>
    /// Decides every service and, when a serving site changed (or a periodic pass is due), makes the
    /// forwarding table match in one transaction for all of them. Only then do unplanned switches
    /// delete the switched services' flows to the failed site (<see cref="StartFlowFlushes"/>), so
    /// retransmitted SYNs and UDP flows are NATed to the new one.
    /// </summary>
    /// <returns>The decisions whose serving site changed.</returns>
    private Task<IReadOnlyList<ServiceDecision>> DecideAndApplyAsync(bool forceReconcile, CancellationToken cancellationToken) =>
        _pair is null ? ApplyAsync(_decisions.DecideAll(), forceReconcile, cancellationToken) : DecideOrFollowAsync(_pair, forceReconcile, cancellationToken);

    /// <summary>Makes the forwarding table match the decisions after <paramref name="changed"/> switched (or a periodic pass is due).</summary>
    private async Task<IReadOnlyList<ServiceDecision>> ApplyAsync(IReadOnlyList<ServiceDecision> changed, bool forceReconcile, CancellationToken cancellationToken)
    {
        if (changed.Count == 0 && !forceReconcile)
            return changed;
        try
        {
            var plane = HubDataPlaneBuilder.Build(_config, _hub, _decisions.ServingSites());
            await _forwarding.ReconcileAsync(plane, cancellationToken);
            foreach (var decision in changed)
                Log.Switched(_logger, decision.Service, decision.PreviousSite ?? "none", decision.ServingSite ?? "none", decision.Detail);
            StartFlowFlushes(changed);
            if (changed.Count > 0)
                _journal.Save(_decisions.Records());
            _lastReconcileAt = _time.GetUtcNow();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(e);
        }
        return changed;
    }

    /// <summary>Probes through the tunnel, and the listener for the sites' own reports.</summary>
    private void StartProbes()
    {
        var checks = new List<IHealthCheck>();
        var targets = new List<ProbeTarget>();
        foreach (var service in _config.Services)
        {
            foreach (var definition in service.Checks)
            {
                foreach (var site in _config.Sites.Where(s => service.Sites.Contains(s.Name)))
                {
                    if ((site.Tunnel.IPv4 ?? site.Tunnel.IPv6) is not { } address)
                        continue;
                    var check = HealthChecks.Create(definition, _runner, _time);
                    checks.Add(check);
                    targets.Add(new ProbeTarget(service.Name, site.Name, address, check));
                }
            }
        }
        _checks = checks;
        _scheduler = new CheckScheduler(targets, _results.Writer, _time, _loggers.CreateLogger<CheckScheduler>());
        _scheduler.Start();
        _reportListener = new SiteReportListener(_config, _hub, _reports.Writer, _time, _loggers.CreateLogger<SiteReportListener>());
        _reportListener.Start();
    }

    private async Task StopProbesAsync()
    {
        if (_scheduler is not null)
            await _scheduler.DisposeAsync();
        _scheduler = null;
        if (_reportListener is not null)
            await _reportListener.DisposeAsync();
        _reportListener = null;
        foreach (var check in _checks)
            check.Dispose();
        _checks = [];
    }

    private void Fail(Exception e)
    {
        if (_lastError != e.Message)
            Log.ReconcileFailed(_logger, e.Message);
        _lastError = e.Message;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProbesAsync();
        await WaitForFlowFlushesAsync();
        if (_pair is not null)
            await _pair.DisposeAsync();
        _gate.Dispose();
    }

    private static (ClusterConfig Config, HubNode Hub) LoadConfig(HubDaemonOptions options)
    {
        var config = ConfigLoader.LoadValid(options.ConfigPath);
        var hub = config.FindHub(options.NodeName)
            ?? throw new ConfigInvalidException($"{options.ConfigPath}: no hub named '{options.NodeName}' (hubs: {string.Join(", ", config.Hubs.Select(h => h.Name))})");
        return (config, hub);
    }
}
