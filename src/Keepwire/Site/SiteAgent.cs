using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.Systemd;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Metrics;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keepwire.Site;

/// <summary>
/// The site agent: keeps a tunnel to every hub up (re-resolving each hub's name and re-dialing after
/// outages or NAT rebinding), the return path that sends replies to forwarded connections back into the
/// tunnel they came from, its reports to every hub and, in a hub pair, the relay of the hubs' sync.
/// </summary>
public sealed partial class SiteAgent : IControlHandler, IDisposable
{
    private readonly SiteAgentOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SiteNetworkReconciler _network;
    private readonly IWireGuard _wireGuard;
    private readonly LocalCheckRunner _localChecks;
    private readonly SemaphoreSlim _gate = new(1, 1);
    // Made only when the config asks for metrics: prometheus-net and its listener cost about 16 MiB of RSS.
    private SiteMetrics? _metrics;
    private MetricsListener? _metricsListener;
    private readonly SystemdNotifier _systemd;
    private bool _ready;
    private SiteUplinks _uplinks;

    private ClusterConfig _config;
    private SiteNode _site;
    private DateTimeOffset _configLoadedAt;
    private DateTimeOffset? _lastReconcileAt;
    private string? _lastError;
    private LocalCheckVerdict? _lastVerdict;

    private SiteAgent(SiteAgentOptions options, ClusterConfig config, SiteNode site, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time, SystemdNotifier systemd)
    {
        _systemd = systemd;
        _options = options;
        _logger = loggers.CreateLogger("keepwire.site");
        _time = time;
        _wireGuard = new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>());
        _network = new SiteNetworkReconciler(
            _wireGuard, new RoutingCli(runner), new Sysctl(runner), new GetentHostResolver(runner), new NftablesCli(runner), time, loggers.CreateLogger<SiteNetworkReconciler>());
        _config = config;
        _site = site;
        _configLoadedAt = time.GetUtcNow();
        _uplinks = new SiteUplinks(config, site, time);
        _localChecks = new LocalCheckRunner(runner, time);
    }

    /// <param name="systemd">systemd's notify socket (READY after the first pass, STATUS, the watchdog from the loop); none by default.</param>
    public static SiteAgent Create(SiteAgentOptions options, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time, SystemdNotifier? systemd = null)
    {
        var (config, site) = LoadConfig(options);
        return new SiteAgent(options, config, site, runner, loggers, time, systemd ?? SystemdNotifier.None);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var endpoints = string.Join(", ", _config.Hubs.Select(h => h.Endpoint));
        Log.Starting(_logger, _site.Name, endpoints);
        await using var control = new ControlServer(_options.SocketPath, this, _logger);
        control.Start();
        // Answers the hubs' liveness datagrams beside the loop; its addresses are those of the config it started with.
        await using var liveness = new LivenessResponder(_config, _site, _time, _logger);
        liveness.Start();
        await ServeMetricsAsync();
        Adapters.Posix.Libc.UnignoreHangUp();
        using var reload = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGHUP,
            context =>
            {
                context.Cancel = true;
                _ = ReloadAsync(CancellationToken.None);
            });

        while (!stopping.IsCancellationRequested)
        {
            await ReconcileOnceAsync(stopping);
            Notify();
            try
            {
                await Task.Delay(_options.ReconcileInterval, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _systemd.Stopping();
        if (_metricsListener is not null)
            await _metricsListener.DisposeAsync();
        Log.Stopped(_logger, _site.Name);
    }

    /// <summary>After each pass, from the loop itself: the watchdog ping, READY after the first pass (failed or not: the agent retries on its own), STATUS.</summary>
    private void Notify()
    {
        _systemd.Watchdog();
        var status = _lastError is { } error ? $"retrying: {error}" : $"tunnels to {_config.Hubs.Count} hub(s) reconciled; reporting {(_lastVerdict?.Healthy == false ? "unhealthy" : "healthy")}";
        if (!_ready)
            _systemd.Ready(status);
        else
            _systemd.Status(status);
        _ready = true;
    }

    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Exception? failure = null;
            try
            {
                await _network.ReconcileAsync(_config, _site, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = e;
            }

            // Reports and the relay go through every tunnel that works, even when another one failed this pass.
            var verdict = await _localChecks.RunAsync(_site.LocalChecks, cancellationToken);
            if (verdict.Reason != _lastVerdict?.Reason)
                Log.LocalChecks(_logger, verdict.Healthy ? "healthy" : "unhealthy", verdict.Reason);
            _lastVerdict = verdict;
            _metrics?.Reported(verdict.Healthy);
            await _uplinks.SendAsync(verdict.Healthy, verdict.Reason, cancellationToken);
            if (_metrics is not null && _config.Metrics is not null)
                await ReadTunnelsAsync(_metrics, cancellationToken);
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            _lastReconcileAt = _time.GetUtcNow();
            if (_lastError is not null)
                Log.Recovered(_logger);
            _lastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // DNS down, a hub unreachable, a tool failing: keep what is in place and retry next pass.
            if (_lastError != e.Message)
                Log.ReconcileFailed(_logger, e.Message);
            _metrics?.ReconcileFailed();
            _lastError = e.Message;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Each hub's tunnel for the metrics (only when they are served: one <c>wg show</c> per hub per pass).</summary>
    private async Task ReadTunnelsAsync(SiteMetrics metrics, CancellationToken cancellationToken)
    {
        foreach (var hub in _config.Hubs)
        {
            var name = _site.InterfaceFor(hub);
            metrics.WireGuardRead(name, hub, await _wireGuard.ReadAsync(name, cancellationToken));
        }
    }

    /// <summary>The metrics endpoint as the config says, at start and after a reload; counting starts with the first config that asks.</summary>
    private async Task ServeMetricsAsync()
    {
        if (_config.Metrics is not null && _metrics is null)
        {
            _metrics = new SiteMetrics();
            _metricsListener = new MetricsListener(_metrics.Registry, _logger);
        }
        if (_metricsListener is not null)
            await _metricsListener.ApplyAsync(_config.Metrics);
    }

    public void Dispose()
    {
        _gate.Dispose();
        _uplinks.Dispose();
    }

    private static (ClusterConfig Config, SiteNode Site) LoadConfig(SiteAgentOptions options)
    {
        var config = ConfigLoader.LoadValid(options.ConfigPath);
        var site = config.FindSite(options.NodeName)
            ?? throw new ConfigInvalidException($"{options.ConfigPath}: no site named '{options.NodeName}' (sites: {string.Join(", ", config.Sites.Select(s => s.Name))})");
        return (config, site);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "site {Site} starting, dialing {Endpoints}")]
        public static partial void Starting(ILogger logger, string site, string endpoints);

        [LoggerMessage(Level = LogLevel.Information, Message = "site {Site} stopped; the tunnels stay up")]
        public static partial void Stopped(ILogger logger, string site);

        [LoggerMessage(Level = LogLevel.Warning, Message = "reconcile failed, retrying: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "reporting {Verdict} to the hubs: {Reason}")]
        public static partial void LocalChecks(ILogger logger, string verdict, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "reconcile recovered")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(Level = LogLevel.Error, Message = "reload rejected, still running the previous config:\n{Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}

public sealed record SiteAgentOptions(string ConfigPath, string NodeName, string SocketPath, TimeSpan ReconcileInterval);
