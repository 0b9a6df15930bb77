using System.Net;
using System.Threading.Channels;
using Keepwire.Adapters.Conntrackd;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.ProviderHooks;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.Sync;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub.Pair;

/// <summary>
/// The outside world of a hub in a pair; what to do is the engine's (<see cref="HubEngine"/>), this class only
/// does it. keepalived holds the VIPs: this renders its config, starts or adopts it, and writes the engine's
/// verdict into its track file. The role is learnt level-triggered, by reading whether the VIPs are on the
/// public interface, never from notify scripts. Decisions travel in signed sync messages, directly and through
/// every site. Owned by the hub loop (not thread-safe), except <see cref="Received"/>, which the channel fills.
/// </summary>
public sealed partial class HubPair : IAsyncDisposable
{
    /// <summary>How stale the "VIPs on my interface" answer may be: each read runs <c>ip</c>, and the loop may pass often.</summary>
    private static readonly TimeSpan VipReadInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long a reading stands while the kernel reports no address change: keepalived adding or removing a VIP is
    /// an address change, so this only bounds the cost of a missed notification.
    /// </summary>
    private static readonly TimeSpan VipRecheckInterval = TimeSpan.FromSeconds(5);

    private readonly HubRunPaths _paths;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly KeepalivedSupervisor _keepalived;
    private readonly KeepalivedTrackFile _trackFile;
    private readonly VipOwnership _vipOwnership;
    private readonly IRoutingChanges _addressChanges;
    private readonly ConntrackdControl _conntrackd;
    private readonly HubSyncSequence _sequence;
    private readonly IProviderHook _providerHooks;
    private readonly Channel<ReceivedSyncMessage> _received = Channel.CreateBounded<ReceivedSyncMessage>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

    private ClusterConfig _config;
    private HubNode _hub;
    private HubNode _peer;
    private HubPairSettings _settings;
    private HubSyncReplayGuard _guard;
    private HubSyncKey? _key;
    private HubSyncChannel? _channel;
    private (bool Holds, VipHolding? Holding, DateTimeOffset ReadAt)? _vips;
    private bool? _conntrackdActive;
    private TrackVerdict? _track;
    private int? _keepalivedPid;
    private PairRoleDecision? _loggedRole;
    private bool _mismatchLogged;
    private DaemonLock? _nodeLock;
    private long _sendFailures;
    private ProviderHookRunner? _providerHook;
    private VipClaim? _claim;

    private HubPair(ClusterConfig config, HubNode hub, HubRunPaths paths, HubAdapters adapters, ILoggerFactory loggers, TimeProvider time)
    {
        _paths = paths;
        _loggers = loggers;
        _logger = loggers.CreateLogger("keepwire.hub.pair");
        _time = time;
        _keepalived = new KeepalivedSupervisor(adapters.Runner, paths.Keepalived, adapters.Processes, loggers.CreateLogger<KeepalivedSupervisor>(), time);
        _trackFile = new KeepalivedTrackFile(paths.Keepalived.TrackFile);
        _vipOwnership = new VipOwnership(adapters.Routing);
        _addressChanges = adapters.AddressChanges;
        _conntrackd = new ConntrackdControl(adapters.Runner, paths.Conntrackd, loggers.CreateLogger<ConntrackdControl>());
        _sequence = new HubSyncSequence(hub.Name, time);
        (_config, _hub, _peer, _settings) = (config, hub, PeerOf(config, hub), config.HubPair!);
        _guard = new HubSyncReplayGuard(_peer.Name, HubSyncReplayGuard.FreshnessFor(_settings.PeerTimeout), time);
        _providerHooks = adapters.ProviderHooks;
        ConfigureProviderHook();
    }

    /// <summary>The pair part of a hub, or null for a single hub.</summary>
    public static HubPair? Create(ClusterConfig config, HubNode hub, HubRunPaths paths, HubAdapters adapters, ILoggerFactory loggers, TimeProvider time) =>
        config.HubPair is null ? null : new HubPair(config, hub, paths, adapters, loggers, time);

    public string Peer => _peer.Name;

    /// <summary>Admitted messages from the peer, for the hub loop.</summary>
    public ChannelReader<ReceivedSyncMessage> Received => _received.Reader;

    /// <summary>Why the track file could not be written, or null: keepalived then keeps the last verdict it read.</summary>
    public string? TrackFileFault { get; private set; }

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
        _key = DeriveKey(_hub, _peer);
        _channel = OpenChannel(_config, _hub, _peer, _settings, _guard, _key);
    }

    /// <summary>
    /// Which VIPs are on my public interface: read from the kernel, at most every <see cref="VipReadInterval"/>, and
    /// only after an address change (or <see cref="VipRecheckInterval"/>) where the kernel's notifications are heard,
    /// so an idle pair hub starts no program. Null when they cannot be read (the engine counts that as not holding
    /// them, and clears nothing).
    /// </summary>
    public async Task<VipHolding?> ReadVipsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_vips is { } cached && now - cached.ReadAt < VipReadInterval)
            return cached.Holding;
        // Taken before reading, so a change made while reading shows on the next call.
        var changed = _addressChanges.TakeChanged();
        if (!changed && _vips is { Holding: not null } standing && now - standing.ReadAt < VipRecheckInterval)
            return standing.Holding;
        VipHolding? holding = null;
        try
        {
            holding = await _vipOwnership.ReadAsync(_hub.PublicInterface!, _config.AllVips(), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.VipsUnreadable(_logger, e.Message);
        }
        _vips = (holding?.All ?? false, holding, now);
        return holding;
    }

    /// <summary>
    /// Tells keepalived the verdict (track file), then makes sure keepalived (and conntrackd, when on) runs with
    /// the current config. Cheap when nothing changed. Throws when keepalived cannot be run: the hub then cannot
    /// take part in the pair, which is a fault of its data path.
    /// </summary>
    public async Task EnsureDaemonsAsync(TrackVerdict verdict, CancellationToken cancellationToken)
    {
        await WriteTrackFileAsync(verdict, cancellationToken);
        ReopenChannel();
        var settings = PairAdapterSettings.Keepalived(_config, _hub, _peer, _settings, _paths);
        _keepalivedPid = (await _keepalived.EnsureRunningAsync(settings, cancellationToken)).Pid;
        if (_settings.Conntrackd)
            await _conntrackd.EnsureRunningAsync(PairAdapterSettings.Conntrackd(_config, _hub, _peer), cancellationToken);
    }

    /// <summary>
    /// Carries out a step's verdict: into the track file (a hub that must yield gives the VIPs up before anything
    /// else happens), and conntrackd's role after the VIPs.
    /// </summary>
    public async Task ApplyVerdictAsync(PairStep step, CancellationToken cancellationToken)
    {
        var role = step.Role;
        if (_loggedRole is null || _loggedRole.Role != role.Role || _loggedRole.Yield != role.Yield || _loggedRole.Leader?.Node != role.Leader?.Node)
            Log.RoleChanged(_logger, _hub.Name, role.Role, role.Reason);
        _loggedRole = role;
        if (step.Mismatched.Count > 0 && !_mismatchLogged)
        {
            Log.ConfigsDiffer(_logger, _peer.Name, string.Join(", ", step.Mismatched));
            _mismatchLogged = true;
        }

        await WriteTrackFileAsync(step.Track, cancellationToken);
        // Only a holder that may keep the VIPs claims them from the provider: one that yields (both hold them, the
        // peer outranks it) or cannot forward is giving them up, and must not pull the provider's route back.
        _providerHook?.Want(step.HoldsVips && step.Track.Healthy ? _claim : null);
        if (_settings.Conntrackd && _conntrackdActive != step.HoldsVips)
            await SwitchConntrackdAsync(step.HoldsVips, cancellationToken);
    }

    /// <summary>
    /// Sends the step's message to the peer and every relaying site, when one is due; a path that fails is skipped
    /// (counted), and nothing is thrown: the hub loop goes on deciding and forwarding.
    /// </summary>
    public async Task SendAsync(PairStep step, CancellationToken cancellationToken)
    {
        if (step.Send is not { } draft || _channel is null)
            return;
        try
        {
            await _channel.SendAsync(_sequence.Next(draft.HoldsVips, draft.Services, draft.Intent), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing escapes into the loop: the channel counts what it cannot send or encode, and the rest is logged here.
            Log.SyncSendFailed(_logger, e.Message, ++_sendFailures);
        }
    }

    /// <summary>
    /// Writes the track file when the verdict changed (keepalived reacts to every write). A failed write is
    /// logged, shown in status and tried again on the next pass: keepalived keeps acting on the last verdict it read.
    /// </summary>
    private async Task WriteTrackFileAsync(TrackVerdict verdict, CancellationToken cancellationToken)
    {
        if (_track is { } last && last.Healthy == verdict.Healthy && (verdict.Healthy || last.Reason == verdict.Reason))
            return;
        try
        {
            await _trackFile.WriteAsync(verdict.Healthy, verdict.Reason, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fault = $"cannot write keepalived's track file {_trackFile.Path}: {e.Message} (retrying on every pass)";
            if (fault != TrackFileFault)
                Log.TrackFileFailed(_logger, fault);
            TrackFileFault = fault;
            return;
        }
        TrackFileFault = null;
        if (_track?.Healthy != verdict.Healthy)
        {
            if (verdict.Healthy)
                Log.MayHoldVips(_logger);
            else
                Log.GivingVipsUp(_logger, verdict.Reason);
        }
        _track = verdict;
    }

    public PairStatus Status(PeerHubView? view, PairRoleDecision? role)
    {
        var latest = view?.Latest;
        return new PairStatus(
            _peer.Name,
            role?.Role.ToString().ToLowerInvariant() ?? "starting",
            role?.Reason ?? "no pass yet",
            _vips?.Holds ?? false,
            role?.Yield ?? false,
            view?.IsPeerAlive ?? false,
            latest is null ? null : (_time.GetUtcNow() - latest.ReceivedAt).TotalSeconds,
            latest?.Message.HoldsVips,
            _keepalivedPid,
            _channel?.Admitted ?? 0,
            _channel?.Rejections().Where(r => r.Value > 0).ToDictionary(r => r.Key.ToString(), r => r.Value) ?? [])
        {
            TrackFileError = TrackFileFault,
            SyncError = ChannelFault,
            ProviderHook = _providerHook?.Status(),
        };
    }

    /// <summary>Stops keepalived and conntrackd: only for <c>keepwire teardown</c>, never on a daemon stop.</summary>
    public static async Task TeardownAsync(HubRunPaths paths, Keepwire.Adapters.Processes.ICommandRunner runner, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        await new KeepalivedSupervisor(runner, paths.Keepalived, new ProcfsProcessTable(), loggers.CreateLogger<KeepalivedSupervisor>()).StopAsync(cancellationToken);
        var conntrackd = new ConntrackdControl(runner, paths.Conntrackd, loggers.CreateLogger<ConntrackdControl>());
        if (await conntrackd.IsRunningAsync(cancellationToken))
            await conntrackd.StopAsync(cancellationToken);
    }

    /// <summary>Closes the sync channel. keepalived and conntrackd keep running: a restarted daemon adopts them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_providerHook is not null)
            await _providerHook.DisposeAsync();
        _providerHook = null;
        if (_channel is not null)
            await _channel.DisposeAsync();
        _channel = null;
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

    /// <summary>Derives the sync key from this hub's key file. Throws when the file cannot be read or does not match the config.</summary>
    private static HubSyncKey DeriveKey(HubNode hub, HubNode peer) =>
        HubSyncKey.Derive(KeyFile.ReadPrivateKey(hub.PrivateKeyFile, hub.PublicKey), peer.PublicKey, hub.Name, peer.Name);

    /// <summary>Opens the channel with <paramref name="key"/> (which it then uses). Throws when the port cannot be bound.</summary>
    private HubSyncChannel OpenChannel(ClusterConfig config, HubNode hub, HubNode peer, HubPairSettings settings, HubSyncReplayGuard guard, HubSyncKey key)
    {
        var relays = config.Sites.Select(s => s.Tunnel.IPv4 ?? s.Tunnel.IPv6).OfType<IPAddress>().ToList();
        var channel = new HubSyncChannel(settings.SyncPort, hub.PairAddress!, [.. hub.Tunnel.All], peer.PairAddress!, relays,
            new HubSyncCodec(key), guard, _received.Writer, _time, _loggers.CreateLogger<HubSyncChannel>());
        try
        {
            channel.Start();
            return channel;
        }
        catch
        {
            _ = channel.DisposeAsync().AsTask();
            throw;
        }
    }

    /// <summary>
    /// With <c>vip_mover: provider</c>, the runner of the hook and this hub's claim (from the current config); a
    /// runner outlives reloads, so a claim that did not change keeps its confirmation. Without, neither.
    /// </summary>
    private void ConfigureProviderHook()
    {
        if (_settings.ProviderHook is { } hook)
        {
            _providerHook ??= new ProviderHookRunner(_providerHooks, _time, _loggers.CreateLogger("keepwire.hub.provider_hook"));
            _claim = VipClaim.For(hook, _hub, _peer, [.. _config.AllVips()]);
        }
        else
        {
            _claim = null;
            _providerHook?.Want(null);
        }
    }

    private static HubNode PeerOf(ClusterConfig config, HubNode hub) =>
        config.PeerOf(hub) ?? throw new InvalidOperationException($"hub {hub.Name} has no peer in {config.SourcePath}");
}
