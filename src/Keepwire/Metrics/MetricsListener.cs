using Keepwire.Model;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>A daemon's metrics endpoint as its config says: none, or one at <c>metrics.listen</c>, reopened when a reload moves it.</summary>
public sealed class MetricsListener(CollectorRegistry registry, ILogger logger) : IAsyncDisposable
{
    private MetricsEndpoint? _endpoint;

    public async Task ApplyAsync(MetricsSettings? settings)
    {
        if (Equals(_endpoint?.Listen, settings?.Listen))
            return;
        await DisposeAsync();
        if (settings is null)
            return;
        _endpoint = new MetricsEndpoint(settings.Listen, registry, logger);
        _endpoint.Start();
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
            await _endpoint.DisposeAsync();
        _endpoint = null;
    }
}
