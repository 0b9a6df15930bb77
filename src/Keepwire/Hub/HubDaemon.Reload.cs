using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Hub.Pair;
using Keepwire.Model;
using Keepwire.Notifications;

namespace Keepwire.Hub;

/// <summary>
/// Reload, all or nothing (<c>keepwire reload</c>, SIGHUP): the new config, its probes, its report listener and
/// in a pair its sync key and channel are built first, beside the running ones, which go on untouched; only
/// when everything is ready does the loop swap it in and the engine take the config (decisions carry over).
/// Any failure before that leaves the hub exactly as it was, and every outcome is logged and shown by status.
/// </summary>
public sealed partial class HubDaemon
{
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private ReloadStatus? _lastReload;

    /// <summary>Reloads the config file; never throws (the SIGHUP path has nobody to throw to).</summary>
    internal async Task<ControlResponse> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _reloadGate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return ControlResponse.Failure("reload cancelled before it started");
        }

        try
        {
            var prepared = await PrepareReloadAsync();
            if (prepared.Rejection is { } rejection)
                return Reject(rejection);
            var request = new HubRequest.Reload(prepared.Reload!);
            if (!_requests.Writer.TryWrite(request))
            {
                await prepared.Reload!.DisposeAsync(_pair);
                return ControlResponse.Failure("the hub is stopping");
            }
            // Wait for the loop even if the caller gives up: the gate keeps the next reload from preparing against a half-swapped hub.
            return await request.Reply.Task;
        }
        catch (Exception e)
        {
            return Reject($"reload failed, still running the previous config: {e.Message}");
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>Builds everything the new config needs, off the loop; nothing running is touched.</summary>
    private async Task<(PreparedReload? Reload, string? Rejection)> PrepareReloadAsync()
    {
        ClusterConfig config;
        HubNode hub;
        try
        {
            (config, hub) = LoadConfig(_options);
        }
        catch (ConfigInvalidException e)
        {
            return (null, $"reload rejected, still running the previous config:\n{e.Message}");
        }

        if ((config.HubPair is null) != (_pair is null))
            return (null, "reload rejected, still running the previous config: turning a single hub into a pair (or back) needs a restart of the hub daemon");

        HubObservers observers;
        try
        {
            observers = HubObservers.Build(config, hub, _adapters.CreateCheck, _results.Writer, _reports.Writer, _time, _loggers, _adapters.OpenLivenessSocket, _liveness.Writer,
                livenessAlreadyUp: _observers.Liveness?.UpSites());
        }
        catch (Exception e)
        {
            return (null, $"reload rejected, still running the previous config: cannot build the checks or the report listener (it derives the report keys from this hub's private key): {e.Message}");
        }

        Notifier notifier;
        try
        {
            notifier = Notifier.Create(config.Notify, _adapters.Notifications, NotificationCounters, _time, _loggers.CreateLogger("keepwire.notify"));
        }
        catch (ConfigInvalidException e)
        {
            await observers.DisposeAsync();
            return (null, $"reload rejected, still running the previous config:\n{e.Message}");
        }

        try
        {
            var pair = _pair?.Prepare(config, hub);
            return (new PreparedReload(config, hub, observers, notifier, pair), null);
        }
        catch (Exception e)
        {
            await observers.DisposeAsync();
            await notifier.DisposeAsync();
            return (null, $"reload rejected, still running the previous config: the hub pair cannot take it ({e.Message}); fix it and reload again");
        }
    }

    /// <summary>In the loop: swaps the prepared observers and pair part in, and hands the engine the config.</summary>
    /// <returns>True: the network and the whole data plane are reconciled in this pass.</returns>
    private async Task<bool> CommitReloadAsync(HubRequest.Reload request)
    {
        var prepared = request.Prepared;
        var old = _observers;
        _observers = prepared.Observers;
        try
        {
            await old.DisposeAsync();
        }
        catch (Exception e)
        {
            // The new observers must start whatever the old ones left behind: without them the hub decides on nothing.
            Log.ObserversNotClosed(_logger, e);
        }
        _observers.Start();
        var oldNotifier = _notifier;
        _events.Unsubscribe(oldNotifier);
        _notifier = prepared.Notifier;
        _events.Subscribe(_notifier);
        // What the old receivers still had queued is not sent: their config is gone.
        await oldNotifier.DisposeAsync();
        if (prepared.Pair is { } pair)
            await _pair!.CommitAsync(pair);
        _engine.Reconfigure(prepared.Config, prepared.Hub);
        await ServeMetricsAsync(prepared.Config);
        _configLoadedAt = _time.GetUtcNow();
        _lastReload = new ReloadStatus(_configLoadedAt, true, $"reloaded {_options.ConfigPath}{prepared.Note}");
        Log.Reloaded(_logger, _options.ConfigPath, prepared.Note);
        return true;
    }

    private ControlResponse Reject(string message)
    {
        Log.ReloadRejected(_logger, message);
        _lastReload = new ReloadStatus(_time.GetUtcNow(), false, message);
        _events.ReloadRejected(_engine.Hub.Name, _options.ConfigPath, message, _lastReload.At);
        return ControlResponse.Failure(message);
    }
}

/// <summary>A reload built and ready to swap in.</summary>
internal sealed record PreparedReload(ClusterConfig Config, HubNode Hub, HubObservers Observers, Notifier Notifier, PreparedPairReload? Pair)
{
    /// <summary>What it amounts to, for the log and the answer.</summary>
    public string Note => $": {Config.Services.Count} services, {Config.Sites.Count} sites, {Observers.ProbeTargets} probe targets";

    /// <summary>Gives it up unused.</summary>
    public async Task DisposeAsync(HubPair? pair)
    {
        await Observers.DisposeAsync();
        await Notifier.DisposeAsync();
        if (Pair is not null && pair is not null)
            await pair.AbandonAsync(Pair);
    }
}
