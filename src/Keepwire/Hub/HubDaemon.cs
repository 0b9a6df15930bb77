using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Reconciliation;
using Keepwire.State;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// The hub: keeps the WireGuard interface, the VIPs and the forwarding table matching the
/// config and the current choice of serving site, level-triggered. It reconciles on a timer
/// and whenever something changes (reload, operator command), and adopts what a previous
/// instance left in the kernel instead of rebuilding it.
/// </summary>
public sealed partial class HubDaemon : IControlHandler, IDisposable
{
    private readonly HubDaemonOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly StateStore _store;
    private readonly HubNetworkReconciler _network;
    private readonly ForwardingReconciler _forwarding;
    private readonly IWireGuard _wireGuard;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ClusterConfig _config;
    private HubNode _hub;
    private DateTimeOffset _configLoadedAt;
    private OperatorIntent _intent;
    private Dictionary<string, ServiceStatus> _services = [];
    private DateTimeOffset? _lastReconcileAt;
    private string? _lastError;

    private HubDaemon(HubDaemonOptions options, ClusterConfig config, HubNode hub, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _logger = loggers.CreateLogger("keepwire.hub");
        _time = time;
        _store = new StateStore(options.StateDirectory);
        _wireGuard = new WireGuardAdapter(runner, loggers.CreateLogger<WireGuardAdapter>());
        _network = new HubNetworkReconciler(_wireGuard, new IpRouting(runner), new Sysctl(runner), loggers.CreateLogger<HubNetworkReconciler>());
        _forwarding = new ForwardingReconciler(new NftablesCli(runner), loggers.CreateLogger<ForwardingReconciler>());
        _config = config;
        _hub = hub;
        _configLoadedAt = time.GetUtcNow();
        _intent = _store.LoadIntent();
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
        await using var control = new ControlServer(_options.SocketPath, this, _logger);
        control.Start();
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
            try
            {
                await Task.Delay(_options.ReconcileInterval, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // A clean stop leaves the data path in place: traffic keeps flowing while the daemon is away.
        Log.Stopped(_logger, _hub.Name);
    }

    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _network.ReconcileAsync(_config, _hub, cancellationToken);

            var serving = new Dictionary<string, string>();
            var services = new Dictionary<string, ServiceStatus>();
            foreach (var service in _config.Services)
            {
                var (site, reason) = ServingSiteSelector.Select(service, _config, _intent);
                services[service.Name] = NextStatus(service.Name, site, reason);
                if (site is not null)
                    serving[service.Name] = site;
            }

            var plane = HubDataPlaneBuilder.Build(_config, _hub, serving);
            await _forwarding.ReconcileAsync(plane, cancellationToken);

            _services = services;
            _lastReconcileAt = _time.GetUtcNow();
            _lastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep running: the kernel keeps the last good state, and the next pass retries.
            _lastError = e.Message;
            Log.ReconcileFailed(_logger, e.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ServiceStatus NextStatus(string service, string? site, string reason)
    {
        if (_services.TryGetValue(service, out var previous) && previous.ServingSite == site)
            return previous with { Reason = reason };
        if (previous is not null)
            Log.Switched(_logger, service, previous.ServingSite ?? "none", site ?? "none", reason);
        return new ServiceStatus(service, site, reason, _time.GetUtcNow(), (previous?.Epoch ?? 0) + 1);
    }

    public void Dispose() => _gate.Dispose();

    public async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
        request.Command switch
        {
            "status" => ControlResponse.Success(await StatusAsync(cancellationToken)),
            "reload" => await ReloadAsync(cancellationToken),
            "failover" => await FailoverAsync(request.Argument("service"), request.Argument("site"), cancellationToken),
            _ => ControlResponse.Failure($"unknown command '{request.Command}' (known: status, reload, failover)"),
        };

    private async Task<ControlResponse> ReloadAsync(CancellationToken cancellationToken)
    {
        ClusterConfig config;
        HubNode hub;
        try
        {
            (config, hub) = LoadConfig(_options);
        }
        catch (ConfigInvalidException e)
        {
            Log.ReloadRejected(_logger, e.Message);
            return ControlResponse.Failure($"reload rejected, still running the previous config:\n{e.Message}");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _config = config;
            _hub = hub;
            _configLoadedAt = _time.GetUtcNow();
        }
        finally
        {
            _gate.Release();
        }
        Log.Reloaded(_logger, _options.ConfigPath);
        await ReconcileOnceAsync(cancellationToken);
        return ControlResponse.Success(new { message = $"reloaded {_options.ConfigPath}" });
    }

    private async Task<ControlResponse> FailoverAsync(string? serviceName, string? siteName, CancellationToken cancellationToken)
    {
        var service = serviceName is null ? null : _config.FindService(serviceName);
        if (service is null)
            return ControlResponse.Failure($"unknown service '{serviceName}' (known: {string.Join(", ", _config.Services.Select(s => s.Name))})");
        if (siteName is null || !service.Sites.Contains(siteName))
            return ControlResponse.Failure($"site '{siteName}' may not serve {service.Name} (its sites: {string.Join(", ", service.Sites)})");

        var from = _services.TryGetValue(service.Name, out var current) ? current.ServingSite : null;
        _intent = _intent.WithPin(service.Name, siteName);
        _store.SaveIntent(_intent);
        await ReconcileOnceAsync(cancellationToken);
        if (_lastError is not null)
            return ControlResponse.Failure($"pinned {service.Name} to {siteName}, but applying it failed: {_lastError}");
        return ControlResponse.Success(new { message = $"{service.Name}: {from ?? "none"} → {siteName} (pinned by operator; existing connections finish where they are)" });
    }

    private async Task<HubStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var device = await _wireGuard.ReadAsync(_hub.Interface, cancellationToken);
        var now = _time.GetUtcNow();
        var sites = _config.Sites.Select(site =>
        {
            var peer = device?.FindPeer(site.PublicKey);
            return new SiteStatus(
                site.Name,
                site.Priority,
                site.Mode.ToString().ToLowerInvariant(),
                site.Tunnel.All.Select(a => a.ToString()).ToList(),
                peer?.Endpoint?.ToString(),
                peer?.LatestHandshake is { } handshake ? (now - handshake).TotalSeconds : null,
                _intent.DrainedSites.Contains(site.Name),
                peer?.LatestHandshake is null ? "no handshake" : "connected",
                []);
        }).ToList();
        return new HubStatus(_hub.Name, _options.ConfigPath, _configLoadedAt, _lastReconcileAt, _lastError,
            _config.Services.Select(s => _services.TryGetValue(s.Name, out var status) ? status : new ServiceStatus(s.Name, null, "not decided yet", null, 0)).ToList(),
            sites);
    }

    private static (ClusterConfig Config, HubNode Hub) LoadConfig(HubDaemonOptions options)
    {
        var result = ConfigLoader.Load(options.ConfigPath);
        if (result.Config is null)
            throw new ConfigInvalidException(result.Errors);
        var hub = result.Config.FindHub(options.NodeName)
            ?? throw new ConfigInvalidException($"{options.ConfigPath}: no hub named '{options.NodeName}' (hubs: {string.Join(", ", result.Config.Hubs.Select(h => h.Name))})");
        return (result.Config, hub);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} starting with {ConfigPath}")]
        public static partial void Starting(ILogger logger, string node, string configPath);

        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} stopped; the data path stays in place")]
        public static partial void Stopped(ILogger logger, string node);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Service}: {From} → {To} ({Reason})")]
        public static partial void Switched(ILogger logger, string service, string from, string to, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "reconcile failed, keeping the last applied state: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "reloaded {ConfigPath}")]
        public static partial void Reloaded(ILogger logger, string configPath);

        [LoggerMessage(Level = LogLevel.Error, Message = "reload rejected, still running the previous config:\n{Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}
