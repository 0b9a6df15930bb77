using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Reconciliation;
using Keepwire.Reports;
using Microsoft.Extensions.Logging;

namespace Keepwire.Site;

/// <summary>
/// The site agent: keeps the tunnel to the hub up (re-resolving the hub's name and re-dialing
/// after outages or NAT rebinding) and the return path that sends replies to forwarded
/// connections back into the tunnel they came from.
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
    private SiteReporter _reporter;

    private ClusterConfig _config;
    private SiteNode _site;
    private HubNode _hub;
    private DateTimeOffset _configLoadedAt;
    private DateTimeOffset? _lastReconcileAt;
    private string? _lastError;
    private LocalCheckVerdict? _lastVerdict;

    private SiteAgent(SiteAgentOptions options, ClusterConfig config, SiteNode site, HubNode hub, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _logger = loggers.CreateLogger("keepwire.site");
        _time = time;
        _wireGuard = new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>());
        _network = new SiteNetworkReconciler(_wireGuard, new RoutingCli(runner), new Sysctl(runner), new GetentHostResolver(runner), time, loggers.CreateLogger<SiteNetworkReconciler>());
        _config = config;
        _site = site;
        _hub = hub;
        _configLoadedAt = time.GetUtcNow();
        _reporter = new SiteReporter(site, hub);
        _localChecks = new LocalCheckRunner(runner, time);
    }

    public static SiteAgent Create(SiteAgentOptions options, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        var (config, site, hub) = LoadConfig(options);
        return new SiteAgent(options, config, site, hub, runner, loggers, time);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        Log.Starting(_logger, _site.Name, _hub.Endpoint);
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
        Log.Stopped(_logger, _site.Name);
    }

    private async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _network.ReconcileAsync(_config, _site, _hub, cancellationToken);
            var verdict = await _localChecks.RunAsync(_site.LocalChecks, cancellationToken);
            if (verdict.Reason != _lastVerdict?.Reason)
                Log.LocalChecks(_logger, verdict.Healthy ? "healthy" : "unhealthy", verdict.Reason);
            _lastVerdict = verdict;
            await _reporter.SendAsync(verdict.Healthy, verdict.Reason, cancellationToken);
            _lastReconcileAt = _time.GetUtcNow();
            if (_lastError is not null)
                Log.Recovered(_logger);
            _lastError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // DNS down, hub unreachable, a tool failing: keep what is in place and retry next pass.
            if (_lastError != e.Message)
                Log.ReconcileFailed(_logger, e.Message);
            _lastError = e.Message;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Dispose();
        _reporter.Dispose();
    }

    public async Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
        request.Command switch
        {
            "status" => ControlResponse.Success(await StatusAsync(cancellationToken)),
            "reload" => await ReloadAsync(cancellationToken),
            _ => ControlResponse.Failure($"unknown command '{request.Command}' for a site agent (known: status, reload)"),
        };

    private async Task<ControlResponse> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (config, site, hub) = LoadConfig(_options);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                (_config, _site, _hub) = (config, site, hub);
                _configLoadedAt = _time.GetUtcNow();
                _reporter.Dispose();
                _reporter = new SiteReporter(site, hub);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (ConfigInvalidException e)
        {
            Log.ReloadRejected(_logger, e.Message);
            return ControlResponse.Failure($"reload rejected, still running the previous config:\n{e.Message}");
        }
        await ReconcileOnceAsync(cancellationToken);
        return ControlResponse.Success(new { message = $"reloaded {_options.ConfigPath}" });
    }

    private async Task<SiteAgentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var device = await _wireGuard.ReadAsync(_site.Interface, cancellationToken);
        var peer = device?.Peers.Count > 0 ? device.Peers[0] : null;
        var now = _time.GetUtcNow();
        return new SiteAgentStatus(
            _site.Name,
            _hub.Name,
            _hub.Endpoint.ToString(),
            peer?.Endpoint?.ToString(),
            peer?.LatestHandshake is { } handshake ? (now - handshake).TotalSeconds : null,
            _configLoadedAt,
            _lastReconcileAt,
            _lastError);
    }

    private static (ClusterConfig Config, SiteNode Site, HubNode Hub) LoadConfig(SiteAgentOptions options)
    {
        var config = ConfigLoader.LoadValid(options.ConfigPath);
        var site = config.FindSite(options.NodeName)
            ?? throw new ConfigInvalidException($"{options.ConfigPath}: no site named '{options.NodeName}' (sites: {string.Join(", ", config.Sites.Select(s => s.Name))})");
        return (config, site, config.Hubs[0]);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "site {Site} starting, dialing {Endpoint}")]
        public static partial void Starting(ILogger logger, string site, HostEndpoint endpoint);

        [LoggerMessage(Level = LogLevel.Information, Message = "site {Site} stopped; the tunnel stays up")]
        public static partial void Stopped(ILogger logger, string site);

        [LoggerMessage(Level = LogLevel.Warning, Message = "reconcile failed, retrying: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "reporting {Verdict} to the hub: {Reason}")]
        public static partial void LocalChecks(ILogger logger, string verdict, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "reconcile recovered")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(Level = LogLevel.Error, Message = "reload rejected, still running the previous config:\n{Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}

public sealed record SiteAgentOptions(string ConfigPath, string NodeName, string SocketPath, TimeSpan ReconcileInterval);

public sealed record SiteAgentStatus(
    string Site,
    string Hub,
    string HubEndpoint,
    string? ResolvedEndpoint,
    double? HandshakeAgeSeconds,
    DateTimeOffset ConfigLoadedAt,
    DateTimeOffset? LastReconcileAt,
    string? LastError);
