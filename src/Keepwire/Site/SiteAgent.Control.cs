using Keepwire.Configuration;
using Keepwire.Control;

namespace Keepwire.Site;

public sealed partial class SiteAgent
{
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
            var (config, site) = LoadConfig(_options);
            await _gate.WaitAsync(cancellationToken);
            try
            {
                (_config, _site) = (config, site);
                _configLoadedAt = _time.GetUtcNow();
                _uplinks.Dispose();
                _uplinks = new SiteUplinks(config, site, _time);
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
        await ServeMetricsAsync();
        await ReconcileOnceAsync(cancellationToken);
        return ControlResponse.Success($"reloaded {_options.ConfigPath}");
    }

    private async Task<SiteAgentStatus> StatusAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var tunnels = new List<SiteTunnelStatus>();
        foreach (var hub in _config.Hubs)
        {
            var name = _site.InterfaceFor(hub);
            var peer = (await _wireGuard.ReadAsync(name, cancellationToken))?.FindPeer(hub.PublicKey);
            tunnels.Add(new SiteTunnelStatus(
                hub.Name,
                name,
                hub.Endpoint.ToString(),
                peer?.Endpoint?.ToString(),
                peer?.LatestHandshake is { } handshake ? (now - handshake).TotalSeconds : null));
        }

        return new SiteAgentStatus(_site.Name, tunnels, _uplinks.Relay?.Counters, _configLoadedAt, _lastReconcileAt, _lastError);
    }
}
