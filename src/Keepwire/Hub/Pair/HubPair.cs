using System.Net;
using System.Threading.Channels;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Conntrackd;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub.Pair;

/// <summary>
/// This hub's part in a hub pair. keepalived holds the VIPs: this class renders its config, starts or
/// adopts it, and tells it through the track file when this hub must give the VIPs up. The role is
/// learnt level-triggered, by looking at the public interface (are the VIPs on it?), never from
/// notify scripts. Decisions travel in signed sync messages, directly and through every site; the
/// <see cref="PeerHubView"/> turns what was heard into "decide" or "follow".
/// Owned by the hub loop (not thread-safe), except <see cref="Received"/>, which the channel fills.
/// </summary>
public sealed partial class HubPair : IAsyncDisposable
{
    /// <summary>How stale the "VIPs on my interface" answer may be: each read runs <c>ip</c>, and the loop may pass often.</summary>
    private static readonly TimeSpan VipReadInterval = TimeSpan.FromMilliseconds(50);

    private readonly HubRunPaths _paths;
    private readonly ICommandRunner _runner;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly KeepalivedSupervisor _keepalived;
    private readonly KeepalivedTrackFile _trackFile;
    private readonly VipOwnership _vipOwnership;
    private readonly ConntrackdControl _conntrackd;
    private readonly IConntrack _conntrack;
    private readonly HubSyncSequence _sequence;
    private readonly Channel<ReceivedSyncMessage> _received = Channel.CreateBounded<ReceivedSyncMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    private ClusterConfig _config;
    private HubNode _hub;
    private HubNode _peer;
    private HubPairSettings _settings;
    private HubSyncReplayGuard _guard;
    private HubSyncKey? _key;
    private HubSyncChannel? _channel;
    private PeerHubView _view;
    private DateTimeOffset _nextHeartbeat;
    private (bool Holds, DateTimeOffset ReadAt)? _vips;
    private bool? _conntrackdActive;
    private (bool Healthy, string Reason)? _trackState;
    private int? _keepalivedPid;
    private bool _mismatchLogged;
    private bool _vipFlowsCleared;
    private Task _vipFlowsClearing = Task.CompletedTask;
    private DaemonLock? _nodeLock;
    private long _sendFailures;
    private long _trackFileFailures;

    private HubPair(ClusterConfig config, HubNode hub, HubRunPaths paths, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time)
    {
        _paths = paths;
        _runner = runner;
        _loggers = loggers;
        _logger = loggers.CreateLogger("keepwire.hub.pair");
        _time = time;
        _keepalived = new KeepalivedSupervisor(runner, paths.Keepalived, new ProcfsProcessTable(), loggers.CreateLogger<KeepalivedSupervisor>(), time);
        _trackFile = new KeepalivedTrackFile(paths.Keepalived.TrackFile);
        _vipOwnership = new VipOwnership(new RoutingCli(runner));
        _conntrackd = new ConntrackdControl(runner, paths.Conntrackd, loggers.CreateLogger<ConntrackdControl>());
        _conntrack = new ConntrackCli(runner);
        _sequence = new HubSyncSequence(hub.Name, time);
        (_config, _hub, _peer, _settings) = (config, hub, PeerOf(config, hub), config.HubPair!);
        _guard = new HubSyncReplayGuard(_peer.Name, HubSyncReplayGuard.FreshnessFor(_settings.PeerTimeout), time);
        _view = NewView();
    }

    /// <summary>The pair part of a hub, or null for a single hub.</summary>
    public static HubPair? Create(ClusterConfig config, HubNode hub, HubRunPaths paths, ICommandRunner runner, ILoggerFactory loggers, TimeProvider time) =>
        config.HubPair is null ? null : new HubPair(config, hub, paths, runner, loggers, time);

    public string Peer => _peer.Name;

    /// <summary>Admitted messages from the peer, for the hub loop.</summary>
    public ChannelReader<ReceivedSyncMessage> Received => _received.Reader;

    /// <summary>The role of the last pass.</summary>
    public PairRoleDecision? Role { get; private set; }

    /// <summary>
    /// Takes the node's lock (a second daemon for this node must not overwrite the pid file keepalived
    /// watches), writes the daemon's pid file (keepalived's liveness check reads it: from now on a dead
    /// daemon gives the VIPs up after the grace) and opens the sync channel.
    /// </summary>
    /// <exception cref="DaemonAlreadyRunningException">Another daemon runs for this node with these runtime files.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_paths.Directory);
        _nodeLock ??= DaemonLock.Acquire(_paths.DaemonLockFile, $"hub {_hub.Name}'s pid file {_paths.DaemonPidFile}");
        await DaemonPidFile.WriteCurrentProcessAsync(_paths.DaemonPidFile, cancellationToken);
        OpenChannel();
    }

    /// <summary>
    /// Takes a reloaded config: the channel is rebuilt (peer and sites may have moved), the replay
    /// guard and the sequence carry over, so neither hub sees the other restart.
    /// </summary>
    public async Task ReconfigureAsync(ClusterConfig config, HubNode hub)
    {
        await CloseChannelAsync();
        var peer = PeerOf(config, hub);
        if (peer.Name != _peer.Name || config.HubPair!.PeerTimeout != _settings.PeerTimeout)
            _guard = new HubSyncReplayGuard(peer.Name, HubSyncReplayGuard.FreshnessFor(config.HubPair!.PeerTimeout), _time);
        (_config, _hub, _peer, _settings) = (config, hub, peer, config.HubPair!);
        _view = NewView();
        OpenChannel();
    }

    /// <summary>Feeds one admitted message to the peer view.</summary>
    public void Observe(ReceivedSyncMessage message) => _view.Observe(message);

    /// <summary>The latest message of a live peer, or null.</summary>
    public HubSyncMessage? LivePeer => _view.LivePeer;

    /// <summary>Are the VIPs on my public interface? Read from the kernel, at most every <see cref="VipReadInterval"/>.</summary>
    public async Task<bool> HoldsVipsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_vips is { } cached && now - cached.ReadAt < VipReadInterval)
            return cached.Holds;
        var holding = await _vipOwnership.ReadAsync(_hub.PublicInterface!, PairAdapterSettings.Vips(_config), cancellationToken);
        _vips = (holding.All, now);
        if (holding.Any)
            _vipFlowsCleared = false;
        else if (!_vipFlowsCleared)
            ClearVipFlows();
        return holding.All;
    }

    /// <summary>
    /// Once the VIPs have left this hub (or it starts without them), deletes its conntrack entries towards
    /// them. They are dead: the clients' packets go to the other hub now. Left in place they would meet
    /// the connections that come back with the VIPs at the next failover: a flow whose 4-tuple still has
    /// an old entry here (a closed connection's TIME_WAIT, two minutes) is not NATed, and this hub's own
    /// TCP stack resets it. Only after a successful read that shows no VIP at all, so a failed read never
    /// cuts live flows; beside the loop, like the switch flushes. (With conntrackd the synced state lives in
    /// its external cache, not in the kernel table, so nothing it needs for a takeover is lost.)
    /// </summary>
    private void ClearVipFlows()
    {
        _vipFlowsCleared = true;
        if (!_vipFlowsClearing.IsCompleted)
            return;
        var vips = PairAdapterSettings.Vips(_config);
        _vipFlowsClearing = Task.Run(async () =>
        {
            try
            {
                var deleted = 0;
                foreach (var vip in vips)
                    deleted += await _conntrack.DeleteFlowsToAsync(vip);
                Log.VipFlowsCleared(_logger, deleted);
            }
            catch (Exception e)
            {
                // They expire on their own; only a connection returning to this hub within their lifetime meets them.
                Log.VipFlowsNotCleared(_logger, e.Message);
            }
        });
    }

    /// <summary>
    /// Decide or follow for this pass (<see cref="HubPairPass"/>, the step the pair simulation runs);
    /// switches conntrackd with the VIPs when it is on.
    /// </summary>
    public async Task<HubPairPassResult> RunPassAsync(ServiceDecisions decisions, OperatorIntent intent, bool holdsVips, CancellationToken cancellationToken)
    {
        var pass = HubPairPass.Run(_view, decisions, intent, holdsVips);
        var role = pass.Role;
        if (Role is null || Role.Role != role.Role || Role.Yield != role.Yield || Role.Leader?.Node != role.Leader?.Node)
            Log.RoleChanged(_logger, _hub.Name, role.Role, role.Reason);
        Role = role;
        if (pass.Mismatched.Count > 0 && !_mismatchLogged)
        {
            Log.ConfigsDiffer(_logger, _peer.Name, string.Join(", ", pass.Mismatched));
            _mismatchLogged = true;
        }
        if (_settings.Conntrackd && _conntrackdActive != holdsVips)
            await SwitchConntrackdAsync(holdsVips, cancellationToken);
        return pass;
    }

    /// <summary>
    /// Tells keepalived whether this hub may hold the VIPs (track file), then makes sure keepalived
    /// (and conntrackd, when on) runs with the current config. Cheap when nothing changed.
    /// </summary>
    /// <param name="healthy">False when this hub cannot forward (its table or tunnel failed to apply).</param>
    public async Task EnsureKeepalivedAsync(bool healthy, string reason, CancellationToken cancellationToken)
    {
        await WriteTrackFileAsync(healthy, reason, cancellationToken);
        var settings = PairAdapterSettings.Keepalived(_config, _hub, _peer, _settings, _paths);
        _keepalivedPid = (await _keepalived.EnsureRunningAsync(settings, cancellationToken)).Pid;
        if (_settings.Conntrackd)
            await _conntrackd.EnsureRunningAsync(PairAdapterSettings.Conntrackd(_config, _hub, _peer), cancellationToken);
    }

    /// <summary>
    /// Writes the track file only when the verdict changed: keepalived reacts to every write. A failed write
    /// (disk full, directory gone) is logged and retried next pass, never thrown: the loop must go on.
    /// </summary>
    public async Task WriteTrackFileAsync(bool healthy, string reason, CancellationToken cancellationToken)
    {
        if (_trackState is { } last && last.Healthy == healthy && (healthy || last.Reason == reason))
            return;
        try
        {
            await _trackFile.WriteAsync(healthy, reason, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.TrackFileFailed(_logger, _paths.Keepalived.TrackFile, e.Message, ++_trackFileFailures);
            return;
        }
        if (_trackState?.Healthy != healthy)
        {
            if (healthy)
                Log.MayHoldVips(_logger);
            else
                Log.GivingVipsUp(_logger, reason);
        }
        _trackState = (healthy, reason);
    }

    /// <summary>When the next heartbeat or role recheck is due, for the loop's sleep.</summary>
    public DateTimeOffset NextWakeUp => Role?.RecheckAt is { } recheck && recheck < _nextHeartbeat ? recheck : _nextHeartbeat;

    /// <summary>
    /// Sends this hub's decisions when a heartbeat is due (every advert interval) or <paramref name="now"/> is
    /// asked for (after a switch). Nothing escapes: the channel counts what it cannot send or encode, and
    /// anything else is logged here, so the hub loop goes on deciding and forwarding.
    /// </summary>
    public async Task SendIfDueAsync(IReadOnlyList<SyncedDecision> decisions, OperatorIntent intent, bool holdsVips, bool now, CancellationToken cancellationToken)
    {
        if (_channel is null || (!now && _time.GetUtcNow() < _nextHeartbeat))
            return;
        try
        {
            await _channel.SendAsync(_sequence.Next(holdsVips, decisions, intent), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.SyncSendFailed(_logger, e.Message, ++_sendFailures);
        }
        _nextHeartbeat = _time.GetUtcNow() + _settings.AdvertInterval;
    }

    public PairStatus Status()
    {
        var latest = _view.Latest;
        return new PairStatus(
            _peer.Name,
            Role?.Role.ToString().ToLowerInvariant() ?? "starting",
            Role?.Reason ?? "no pass yet",
            _vips?.Holds ?? false,
            Role?.Yield ?? false,
            _view.IsPeerAlive,
            latest is null ? null : (_time.GetUtcNow() - latest.ReceivedAt).TotalSeconds,
            latest?.Message.HoldsVips,
            _keepalivedPid,
            _channel?.Admitted ?? 0,
            _channel?.Rejections().Where(r => r.Value > 0).ToDictionary(r => r.Key.ToString(), r => r.Value) ?? []);
    }

    /// <summary>Stops keepalived and conntrackd: only for <c>keepwire teardown</c>, never on a daemon stop.</summary>
    public static async Task TeardownAsync(HubRunPaths paths, ICommandRunner runner, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        await new KeepalivedSupervisor(runner, paths.Keepalived, new ProcfsProcessTable(), loggers.CreateLogger<KeepalivedSupervisor>()).StopAsync(cancellationToken);
        var conntrackd = new ConntrackdControl(runner, paths.Conntrackd, loggers.CreateLogger<ConntrackdControl>());
        if (await conntrackd.IsRunningAsync(cancellationToken))
            await conntrackd.StopAsync(cancellationToken);
    }

    /// <summary>Closes the sync channel. keepalived and conntrackd keep running: a restarted daemon adopts them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _vipFlowsClearing;
        await CloseChannelAsync();
        _key?.Dispose();
        _key = null;
        _nodeLock?.Dispose();
        _nodeLock = null;
    }

    private async Task SwitchConntrackdAsync(bool active, CancellationToken cancellationToken)
    {
        var failures = active ? await _conntrackd.BecomeActiveAsync(cancellationToken) : await _conntrackd.BecomeStandbyAsync(cancellationToken);
        foreach (var failure in failures)
            Log.ConntrackdStepFailed(_logger, failure);
        _conntrackdActive = active;
    }

    private void OpenChannel()
    {
        _key?.Dispose();
        _key = HubSyncKey.Derive(KeyFile.ReadPrivateKey(_hub.PrivateKeyFile, _hub.PublicKey), _peer.PublicKey, _hub.Name, _peer.Name);
        var relays = _config.Sites.Select(s => s.Tunnel.IPv4 ?? s.Tunnel.IPv6).OfType<IPAddress>().ToList();
        _channel = new HubSyncChannel(_settings.SyncPort, _hub.PairAddress!, [.. _hub.Tunnel.All], _peer.PairAddress!, relays,
            new HubSyncCodec(_key), _guard, _received.Writer, _time, _loggers.CreateLogger<HubSyncChannel>());
        _channel.Start();
        _nextHeartbeat = _time.GetUtcNow();
    }

    private async Task CloseChannelAsync()
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        _channel = null;
    }

    private PeerHubView NewView() =>
        new(_hub.Name, _hub.VrrpPriority, _peer.Name, _peer.VrrpPriority, _settings.PeerTimeout, _time);

    private static HubNode PeerOf(ClusterConfig config, HubNode hub) =>
        config.PeerOf(hub) ?? throw new InvalidOperationException($"hub {hub.Name} has no peer in {config.SourcePath}");

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} in the pair: {Role} ({Reason})")]
        public static partial void RoleChanged(ILogger logger, string node, PairRole role, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "keepalived track file: healthy, this hub may hold the VIPs")]
        public static partial void MayHoldVips(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "keepalived track file: giving the VIPs up ({Reason})")]
        public static partial void GivingVipsUp(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} decides services this hub cannot follow ({Services}): the two hubs' configs differ")]
        public static partial void ConfigsDiffer(ILogger logger, string peer, string services);

        [LoggerMessage(Level = LogLevel.Information, Message = "not holding the VIPs: deleted {Count} conntrack entries towards them, so connections that return with the VIPs meet no stale entry")]
        public static partial void VipFlowsCleared(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete the conntrack entries towards the VIPs; they expire on their own: {Error}")]
        public static partial void VipFlowsNotCleared(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "cannot write keepalived's track file {Path}: {Error} ({Count} failures so far); retrying next pass")]
        public static partial void TrackFileFailed(ILogger logger, string path, string error, long count);

        [LoggerMessage(Level = LogLevel.Error, Message = "hub sync: cannot send this hub's state: {Error} ({Count} failures so far)")]
        public static partial void SyncSendFailed(ILogger logger, string error, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "conntrackd role switch step failed: {Failure}")]
        public static partial void ConntrackdStepFailed(ILogger logger, string failure);
    }
}
