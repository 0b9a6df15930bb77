using Keepwire.Model;
using Keepwire.Sync;

namespace Keepwire.Hub.Pair;

/// <summary>
/// A reload's pair part, all or nothing: everything that can fail is done in <see cref="Prepare"/>, while the
/// running channel keeps carrying sync messages; <see cref="CommitAsync"/> only swaps. The replay guard and the
/// sequence carry over, so neither hub sees the other restart.
/// </summary>
public sealed partial class HubPair
{
    /// <summary>
    /// Derives the new sync key (the key file may have changed or lost its mode) and, when the sync port changes,
    /// opens the new channel beside the old one. Throws on any failure, leaving the running pair untouched.
    /// </summary>
    public PreparedPairReload Prepare(ClusterConfig config, HubNode hub)
    {
        var peer = PeerOf(config, hub);
        var settings = config.HubPair!;
        var guard = peer.Name != _peer.Name || settings.PeerTimeout != _settings.PeerTimeout
            ? new HubSyncReplayGuard(peer.Name, HubSyncReplayGuard.FreshnessFor(settings.PeerTimeout), _time)
            : _guard;
        var key = DeriveKey(hub, peer);
        try
        {
            // On the same port the old channel holds the socket: the new one binds when the old one closes.
            var channel = settings.SyncPort != _settings.SyncPort ? OpenChannel(config, hub, peer, settings, guard, key) : null;
            return new PreparedPairReload(config, hub, peer, settings, guard, key, channel);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Swaps the prepared reload in. On the same port, binding again right after the old socket closed fails only if another program took the port in between: then the channel is reopened on the next pass, and status says so.</summary>
    public async Task CommitAsync(PreparedPairReload reload)
    {
        if (_channel is not null)
            await _channel.DisposeAsync();
        _key?.Dispose();
        (_config, _hub, _peer, _settings, _guard, _key) = (reload.Config, reload.Hub, reload.Peer, reload.Settings, reload.Guard, reload.Key);
        _channel = reload.Channel;
        _track = null; // the next verdict is written whatever it is: the reloaded keepalived config may point elsewhere
        ConfigureProviderHook();
        if (_channel is null)
            ReopenChannel();
    }

    /// <summary>Gives a prepared reload up (another part of the reload failed).</summary>
    public async Task AbandonAsync(PreparedPairReload reload)
    {
        if (reload.Channel is not null)
            await reload.Channel.DisposeAsync();
        reload.Key.Dispose();
    }

    /// <summary>Why there is no sync channel now, or null.</summary>
    public string? ChannelFault { get; private set; }

    /// <summary>Opens the channel when it is closed (a reload could not bind it at once). Called on every pass.</summary>
    private void ReopenChannel()
    {
        if (_channel is not null || _key is null)
            return;
        try
        {
            _channel = OpenChannel(_config, _hub, _peer, _settings, _guard, _key);
            ChannelFault = null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException)
        {
            var fault = $"cannot open the hub sync channel on port {_settings.SyncPort}: {e.Message} (retrying on every pass)";
            if (fault != ChannelFault)
                Log.ChannelFailed(_logger, fault);
            ChannelFault = fault;
        }
    }
}

/// <summary>A reload's pair part, ready to swap in.</summary>
public sealed record PreparedPairReload(
    ClusterConfig Config,
    HubNode Hub,
    HubNode Peer,
    HubPairSettings Settings,
    HubSyncReplayGuard Guard,
    HubSyncKey Key,
    HubSyncChannel? Channel);
