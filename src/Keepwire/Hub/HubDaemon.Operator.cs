using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Model;

namespace Keepwire.Hub;

/// <summary>What operators do to a running hub: reload, failover, drain, undrain. Each runs under the loop's gate.</summary>
public sealed partial class HubDaemon
{
    internal async Task<ControlResponse> ReloadAsync(CancellationToken cancellationToken)
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

        if ((config.HubPair is null) != (_pair is null))
        {
            const string message = "reload rejected: turning a single hub into a pair (or back) needs a restart of the hub daemon";
            Log.ReloadRejected(_logger, message);
            return ControlResponse.Failure(message);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await StopProbesAsync();
            if (_pair is not null)
                await _pair.ReconfigureAsync(config, hub);
            // Carry the current decisions over: a reload must not flip a service by itself.
            _decisions = new ServiceDecisions(config, _intent, _decisions.Records().ToDictionary(r => r.Service), _time);
            (_config, _hub) = (config, hub);
            _configLoadedAt = _time.GetUtcNow();
            StartProbes();
            await ReconcileNetworkAsync(cancellationToken);
            await DecideAndApplyAsync(forceReconcile: true, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
        Log.Reloaded(_logger, _options.ConfigPath);
        return _lastError is null
            ? ControlResponse.Success(new { message = $"reloaded {_options.ConfigPath}" })
            : ControlResponse.Failure($"reloaded {_options.ConfigPath}, but applying it failed: {_lastError}");
    }

    internal Task<ControlResponse> FailoverAsync(string? serviceName, string? siteName, CancellationToken cancellationToken) =>
        UnderGateAsync(async () =>
        {
            if (RefuseWhileFollowing() is { } refused)
                return refused;
            var service = serviceName is null ? null : _config.FindService(serviceName);
            if (service is null)
                return ControlResponse.Failure($"unknown service '{serviceName}' (known: {string.Join(", ", _config.Services.Select(s => s.Name))})");
            if (siteName is null || !service.Sites.Contains(siteName))
                return ControlResponse.Failure($"site '{siteName}' may not serve {service.Name} (its sites: {string.Join(", ", service.Sites)})");

            var decider = _decisions.Find(service.Name)!;
            var from = decider.Current.ServingSite;
            _intent = _intent.WithPin(service.Name, siteName);
            _store.SaveIntent(_intent);
            decider.Pin(siteName);
            await DecideAndApplyAsync(forceReconcile: false, cancellationToken);
            var to = decider.Current.ServingSite;
            var message = to == siteName
                ? $"{service.Name}: {from ?? "none"} → {siteName} (pinned by operator; existing connections finish where they are)"
                : $"{service.Name}: pinned to {siteName}, but it is not eligible now ({decider.Health.Evaluate(siteName, _time.GetUtcNow()).Reason}); {to ?? "no site"} serves until it is";
            return ControlResponse.Success(new { message });
        }, cancellationToken);

    internal Task<ControlResponse> DrainAsync(string? siteName, bool drained, CancellationToken cancellationToken) =>
        UnderGateAsync(async () =>
        {
            if (RefuseWhileFollowing() is { } refused)
                return refused;
            if (siteName is null || _config.FindSite(siteName) is null)
                return ControlResponse.Failure($"unknown site '{siteName}' (known: {string.Join(", ", _config.Sites.Select(s => s.Name))})");

            _intent = _intent.WithDrain(siteName, drained);
            _store.SaveIntent(_intent);
            foreach (var decider in _decisions.All.Where(d => d.SitesByPreference.Contains(siteName)))
            {
                if (drained)
                    decider.Drain(siteName);
                else
                    decider.Undrain(siteName);
            }
            var moved = (await DecideAndApplyAsync(forceReconcile: false, cancellationToken))
                .Select(decision => $"{decision.Service}: {decision.PreviousSite ?? "none"} → {decision.ServingSite ?? "none"}")
                .ToList();
            var verb = drained ? "drained" : "undrained";
            var message = moved.Count == 0 ? $"{siteName} {verb}; no service moved" : $"{siteName} {verb}; {string.Join("; ", moved)} (existing connections finish where they are)";
            return ControlResponse.Success(new { message });
        }, cancellationToken);

    internal Task<ControlResponse> EventsAsync(CancellationToken cancellationToken) =>
        UnderGateAsync(() => Task.FromResult(ControlResponse.Success(_decisions.History())), cancellationToken);

    private async Task<ControlResponse> UnderGateAsync(Func<Task<ControlResponse>> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            _gate.Release();
        }
    }
}
