using System.Net;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.WireGuard;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Dashboard;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Health;
using Keepwire.Hub.Pair;
using Keepwire.Metrics;
using Keepwire.Model;
using Keepwire.Notifications;
using Keepwire.Reconciliation;
using Keepwire.State;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// The hub daemon: a host around <see cref="HubEngine"/>, which decides everything. Each pass it gathers the
/// evidence that arrived (probe results, site reports, the peer hub's messages, the operator's commands, and
/// on reconcile passes the WireGuard interface and the VIPs), steps the engine once, and carries the step out:
/// the forwarding table in one nft transaction followed by the conntrack flushes (<see cref="DataPathReconciler"/>),
/// the journal and intent (<see cref="HubStateWriter"/>), and in a pair the track file and the sync message
/// (<see cref="HubPair"/>). Only this loop touches the engine; control requests reach it through a channel.
/// Nothing that goes wrong in a pass ends the loop: it is logged, shown by status, and the next pass retries.
/// A restarted daemon adopts the table it finds and continues with the decisions it journaled, so a restart
/// neither rebuilds the data path nor flips a service.
/// </summary>
public sealed partial class HubDaemon : IAsyncDisposable
{
    private readonly HubDaemonOptions _options;
    private readonly HubAdapters _adapters;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HubStateWriter _state;
    private readonly HubNetworkReconciler _network;
    private readonly FlowFlushWorker _flushes;
    private readonly DataPathReconciler _dataPath;
    private readonly HubEngine _engine;
    private readonly HubReadiness _readiness;
    private readonly LoopLagMonitor _loopLag;
    private readonly MemoryScavenger _scavenger;
    private readonly Channel<ProbeStreamResult> _results = Channel.CreateUnbounded<ProbeStreamResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<SiteAgentReport> _reports = Channel.CreateBounded<SiteAgentReport>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Channel<LivenessObservation> _liveness = Channel.CreateBounded<LivenessObservation>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Channel<RefusedFlow> _refusals = Channel.CreateBounded<RefusedFlow>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Channel<HubRequest> _requests = Channel.CreateUnbounded<HubRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly InputWaits _inputs = new();

    private readonly HubEventFeed _events = new();
    private HubObservers _observers;
    private Notifier _notifier;
    private readonly DashboardServer? _dashboard;
    private HubPair? _pair;
    // Made only when the config asks for metrics: prometheus-net and its listener cost a hub about 16 MiB of RSS.
    private HubMetrics? _metrics;
    private IDisposable? _refusalListener;
    private MetricsListener? _metricsListener;
    private DateTimeOffset _configLoadedAt;
    private DateTimeOffset _nextReconcile;
    private DateTimeOffset? _lastReconcileAt;
    private WireGuardDeviceState? _device;
    private string? _networkFault;
    private string? _tableFault;
    private string? _passFault;
    private bool _stopped;

    private HubDaemon(HubDaemonOptions options, ClusterConfig config, HubNode hub, HubAdapters adapters, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _adapters = adapters;
        _loggers = loggers;
        _logger = loggers.CreateLogger("keepwire.hub");
        _time = time;
        var store = new StateStore(options.StateDirectory, loggers.CreateLogger<StateStore>());
        var journal = new DecisionJournal(options.StateDirectory, loggers.CreateLogger<DecisionJournal>());
        _state = new HubStateWriter(journal, store, _logger);
        _network = new HubNetworkReconciler(adapters.WireGuard, adapters.Routing, adapters.Sysctl, loggers.CreateLogger<HubNetworkReconciler>(), adapters.RoutingChanges, time);
        var observer = new MetricsRelay(this);
        _flushes = new FlowFlushWorker(adapters.Conntrack, time, _logger, observer);
        _dataPath = new DataPathReconciler(new ForwardingReconciler(adapters.Nftables, loggers.CreateLogger<ForwardingReconciler>()), _flushes, observer);
        _readiness = new HubReadiness(adapters.Systemd, time);
        _loopLag = new LoopLagMonitor(time, lag => _metrics?.LoopLagged(lag));
        _scavenger = new MemoryScavenger(time);
        _engine = new HubEngine(config, hub, store.LoadIntent(), journal.Load(), time);
        _observers = HubObservers.Build(config, hub, adapters.CreateCheck, _results.Writer, _reports.Writer, time, loggers, adapters.OpenLivenessSocket, _liveness.Writer);
        _notifier = Notifier.Create(config.Notify, adapters.Notifications, NotificationCounters, time, loggers.CreateLogger("keepwire.notify"));
        _events.Subscribe(_notifier);
        _dashboard = config.Dashboard is { } dashboard
            ? new DashboardServer(dashboard, DashboardStatusAsync, _events, loggers.CreateLogger("keepwire.dashboard"))
            : null;
        _pair = HubPair.Create(config, hub, HubRunPaths.For(options), adapters, loggers, time);
        _configLoadedAt = time.GetUtcNow();
    }

    /// <summary>What became of the notifications since start (dropped, delivered, failed), for metrics.</summary>
    public NotificationCounters NotificationCounters { get; } = new();

    /// <summary>The events the hub derives from its steps (switches with their durations, sites down and up, role changes, rejected reloads): the notifications' and the dashboard's source.</summary>
    public HubEventFeed Events => _events;

    /// <summary>Loads the config and builds the daemon on <paramref name="adapters"/>; a bad config is an error here, before anything is touched.</summary>
    /// <exception cref="ConfigInvalidException">The config is invalid or names no such hub.</exception>
    public static HubDaemon Create(HubDaemonOptions options, HubAdapters adapters, ILoggerFactory loggers, TimeProvider time)
    {
        var (config, hub) = LoadConfig(options);
        return new HubDaemon(options, config, hub, adapters, loggers, time);
    }

    /// <summary>What this hub counts, for the metrics endpoint and tests.</summary>
    internal HubMetrics? Metrics => _metrics;

    /// <summary>Why this hub cannot forward right now (its tunnel or its table failed to apply), or null.</summary>
    private string? DataPathFault => _tableFault ?? _networkFault;

    public async Task RunAsync(CancellationToken stopping)
    {
        Log.Starting(_logger, _engine.Hub.Name, _options.ConfigPath);
        await using var control = new ControlServer(_options.SocketPath, new HubControl(this), _logger);
        control.Start();
        // A dashboard that cannot listen (its port taken) is logged; the hub runs on without it.
        try
        {
            _dashboard?.Start();
        }
        catch (HttpListenerException e)
        {
            Log.DashboardFailed(_logger, _engine.Config.Dashboard!.Listen.ToString(), e.Message);
        }
        ListenForRefusals();
        Libc.UnignoreHangUp();
        using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            // ReloadAsync logs and records every outcome itself, and never throws.
            _ = ReloadAsync(CancellationToken.None);
        });
        if (_pair is not null)
            await _pair.StartAsync(stopping);
        _loopLag.Start();
        _scavenger.Start();
        _observers.Start();
        await ServeMetricsAsync(_engine.Config);

        _nextReconcile = _time.GetUtcNow();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stopping);
                await WaitForWorkAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever broke this pass, the next one starts from the evidence again; the kernel keeps forwarding meanwhile.
                if (e.Message != _passFault)
                    Log.PassFailed(_logger, e);
                _passFault = e.Message;
                _metrics?.ReconcileFailed("pass");
                await Task.Delay(TimeSpan.FromMilliseconds(100), _time, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        _readiness.Stopping();
        _requests.Writer.TryComplete();
        while (_requests.Reader.TryRead(out var request))
            request.Reply.TrySetResult(ControlResponse.Failure("the hub is stopping"));
        await StopAsync();
        // A clean stop leaves the data path in place: traffic keeps flowing while the daemon is away.
        Log.Stopped(_logger, _engine.Hub.Name);
    }

    /// <summary>One pass: take the waiting requests and serve them in <see cref="StepAsync"/>; answer them if it fails.</summary>
    private async Task PassAsync(CancellationToken stopping)
    {
        var requests = new List<HubRequest>();
        while (_requests.Reader.TryRead(out var request))
            requests.Add(request);
        try
        {
            await StepAsync(requests, stopping);
        }
        catch (Exception e)
        {
            // Taken from the channel, so nobody else will answer them: a reload left waiting would hold the reload gate forever.
            foreach (var request in requests)
                request.Reply.TrySetResult(ControlResponse.Failure($"the hub's pass failed before answering ({e.Message}); the next pass starts afresh, ask again"));
            throw;
        }
    }

    /// <summary>Commit the reloads among <paramref name="requests"/>, gather the evidence, step the engine, carry the step out, answer the requests.</summary>
    private async Task StepAsync(List<HubRequest> requests, CancellationToken stopping)
    {
        var reloaded = false;
        foreach (var reload in requests.OfType<HubRequest.Reload>())
            reloaded |= await CommitReloadAsync(reload);

        var reconcileDue = reloaded || _time.GetUtcNow() >= _nextReconcile;
        WireGuardReading? wireGuard = null;
        if (reconcileDue)
        {
            wireGuard = await ReconcileNetworkAsync(stopping);
            _nextReconcile = _time.GetUtcNow() + _options.ReconcileInterval;
        }

        var commands = requests.OfType<HubRequest.Command>().ToList();
        var probes = Drain(_results.Reader);
        foreach (var probe in probes)
            _metrics?.ProbeFinished(probe);
        var liveness = Drain(_liveness.Reader);
        var refusals = Drain(_refusals.Reader);
        // After the probes and liveness: a stall that made one of them time out is already over, or overdue and reported as far as it went.
        var stalls = _loopLag.TakeStalls();
        var peerMessages = _pair is null ? [] : Drain(_pair.Received);
        _metrics?.SyncReceived(peerMessages.Count);
        var evidence = new HubEvidence
        {
            Stalls = stalls,
            Probes = [.. probes.Select(Observation)],
            Liveness = liveness,
            Refusals = refusals,
            Reports = [.. Drain(_reports.Reader)],
            WireGuard = wireGuard,
            PeerMessages = [.. peerMessages],
            Vips = _pair is null ? null : await _pair.ReadVipsAsync(stopping),
            DataPathFault = DataPathFault,
            RefreshDataPlane = reconcileDue || _tableFault is not null,
            Commands = [.. commands.Select(c => c.Operation)],
        };
        var step = _engine.Step(evidence);
        _metrics?.StepTaken(step, _engine);
        foreach (var site in step.ProbeNow)
            _observers.Hasten(site);
        var tableApplied = await CarryOutAsync(step, reconcileDue, stopping);
        _passFault = null;
        _metrics?.Refresh(_engine, () => _observers.Liveness?.Status(), _time.GetUtcNow());
        _readiness.PassDone(_engine, tableApplied, DataPathFault);

        for (var i = 0; i < commands.Count; i++)
            commands[i].Reply.TrySetResult(step.Answers[i].Ok ? ControlResponse.Success(step.Answers[i].Message) : ControlResponse.Failure(step.Answers[i].Message));
        foreach (var request in requests.Except(commands))
            Answer(request);
    }

    /// <summary>
    /// The pair verdict first (a hub that must yield gives the VIPs up before anything else), then the forwarding
    /// table and the flushes, then the state, then the message to the peer, which then names what is applied.
    /// </summary>
    /// <returns>Whether the step's forwarding table is now in the kernel.</returns>
    private async Task<bool> CarryOutAsync(HubStep step, bool reconcilePass, CancellationToken cancellationToken)
    {
        var applied = false;
        foreach (var decision in step.Switched)
            Log.Switched(_logger, decision.Service, decision.PreviousSite ?? "none", decision.ServingSite ?? "none", decision.Detail);
        if (_pair is not null && step.Pair is { } pair)
            await _pair.ApplyVerdictAsync(pair, cancellationToken);
        try
        {
            await _dataPath.ApplyAsync(step.DataPlane, step.Flushes, cancellationToken);
            if (step.DataPlane is not null)
            {
                // Routed services switch in WireGuard, not in the table: at once, not at the next network pass.
                await _network.ApplyRoutedAsync(_engine.Config, _engine.Hub, step.DataPlane, cancellationToken);
                _tableFault = null;
                _lastReconcileAt = _time.GetUtcNow();
                _metrics?.TableApplied(_lastReconcileAt.Value);
                applied = true;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep running: the kernel keeps the last good table, and the next pass applies the whole plane again.
            _tableFault = Fail(_tableFault, e);
        }
        // After the table: a failover's duration ends when the kernel forwards to the new site.
        try
        {
            _events.Observe(_engine, step, _time.GetUtcNow(), checkSites: reconcilePass);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Telling about the step must never keep it from being saved.
            Log.EventsFailed(_logger, e);
        }
        _state.Save(step.Journal, step.Intent);
        if (_pair is not null && step.Pair is { } sent)
            await _pair.SendAsync(sent, cancellationToken);
        return applied;
    }

    /// <summary>WireGuard interface, peers, addresses and VIPs, and in a pair keepalived; then the handshakes for the engine.</summary>
    private async Task<WireGuardReading?> ReconcileNetworkAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _network.ReconcileAsync(_engine.Config, _engine.Hub, cancellationToken);
            _device = _network.Device ?? await _adapters.WireGuard.ReadAsync(_engine.Hub.Interface, cancellationToken);
            _metrics?.WireGuardRead(_engine.Config, _engine.Hub, _device);
            _networkFault = null;
            if (_pair is not null)
                await _pair.EnsureDaemonsAsync(_engine.TrackVerdict(DataPathFault), cancellationToken);
            return new WireGuardReading(_device);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep running: the kernel keeps the last good state, and the next pass retries.
            _networkFault = Fail(_networkFault, e);
            _metrics?.ReconcileFailed("network");
            return null;
        }
    }

    /// <summary>Sleeps until evidence or a request arrives, a decision needs a recheck, or the next reconcile pass is due.</summary>
    private async Task WaitForWorkAsync(CancellationToken stopping)
    {
        var until = _engine.NextWakeUp() is { } wakeUp && wakeUp < _nextReconcile ? wakeUp : _nextReconcile;
        if (_readiness.NextPing is { } ping && ping < until)
            until = ping;
        var delay = until - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
            return;
        using var early = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var waits = new List<Task>
        {
            Task.Delay(delay, _time, early.Token),
            _inputs.For(_results.Reader, stopping),
            _inputs.For(_reports.Reader, stopping),
            _inputs.For(_liveness.Reader, stopping),
            _inputs.For(_refusals.Reader, stopping),
            _inputs.For(_requests.Reader, stopping),
        };
        if (_pair is not null)
            waits.Add(_inputs.For(_pair.Received, stopping));
        _inputs.EndRound();
        await Task.WhenAny(waits);
        // Only the sleep is cut short (a cancelled delay throws nothing); the channels' waits stay for the next round.
        await early.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }

    private string Fail(string? previous, Exception e)
    {
        if (previous != e.Message)
            Log.ReconcileFailed(_logger, e.Message);
        return e.Message;
    }

    /// <summary>
    /// A probe stream's result as the engine counts it: once for every service check subscribed to the stream, with
    /// when it started and its timeout, so a timeout that ran while the hub stalled can be told apart.
    /// </summary>
    private static ProbeObservation Observation(ProbeStreamResult result) =>
        new(result.Result, [.. result.Stream.Subscribers.Select(s => new CheckSubject(s.Service, s.Check))])
        {
            Timing = result.Duration > TimeSpan.Zero ? new ProbeTiming(result.Result.Time - result.Duration, result.Stream.Check.Timeout) : null,
        };

    private static List<T> Drain<T>(ChannelReader<T> reader)
    {
        var items = new List<T>();
        while (reader.TryRead(out var item))
            items.Add(item);
        return items;
    }

    /// <summary>Passive evidence: without it (no nfnetlink_log, the group taken) the probes and liveness decide alone.</summary>
    private void ListenForRefusals()
    {
        try
        {
            _refusalListener = _adapters.ListenForRefusals?.Invoke(_refusals.Writer);
        }
        catch (IOException e)
        {
            Log.RefusalsUnavailable(_logger, e.Message);
        }
    }

    private async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        _loopLag.Dispose();
        _scavenger.Dispose();
        _refusalListener?.Dispose();
        await _observers.DisposeAsync();
        if (_dashboard is not null)
            await _dashboard.DisposeAsync();
        await _dataPath.WaitForFlushesAsync();
        if (_metricsListener is not null)
            await _metricsListener.DisposeAsync();
        _events.Unsubscribe(_notifier);
        await _notifier.DisposeAsync();
        if (_pair is not null)
            await _pair.DisposeAsync();
        _pair = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _reloadGate.Dispose();
    }

    /// <summary>
    /// The metrics endpoint as <paramref name="config"/> says, at start and after a reload. The counting starts with
    /// the first config that asks for metrics; one without them closes the listener and keeps the counts.
    /// </summary>
    private async Task ServeMetricsAsync(ClusterConfig config)
    {
        if (config.Metrics is not null && _metrics is null)
        {
            _metrics = new HubMetrics(NotificationCounters);
            _metricsListener = new MetricsListener(_metrics.Registry, _logger);
        }
        if (_metricsListener is not null)
            await _metricsListener.ApplyAsync(config.Metrics);
    }

    /// <summary>The data path's reports, to the metrics once there are any.</summary>
    private sealed class MetricsRelay(HubDaemon daemon) : IDataPathObserver
    {
        public void TableApplied(TimeSpan duration, bool succeeded) => ((IDataPathObserver?)daemon._metrics)?.TableApplied(duration, succeeded);

        public void FlowsFlushed(int count) => ((IDataPathObserver?)daemon._metrics)?.FlowsFlushed(count);
    }

    private static (ClusterConfig Config, HubNode Hub) LoadConfig(HubDaemonOptions options)
    {
        var config = ConfigLoader.LoadValid(options.ConfigPath);
        var hub = config.FindHub(options.NodeName)
            ?? throw new ConfigInvalidException($"{options.ConfigPath}: no hub named '{options.NodeName}' (hubs: {string.Join(", ", config.Hubs.Select(h => h.Name))})");
        return (config, hub);
    }
}
