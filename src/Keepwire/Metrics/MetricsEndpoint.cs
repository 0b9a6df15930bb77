using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// Serves a registry at <c>http://LISTEN/metrics</c> with prometheus-net's standalone <see cref="MetricServer"/>
/// (HttpListener): no ASP.NET Core in a daemon that must stay small. A listener that cannot open (port taken,
/// address not on this node) is logged and retried every <see cref="RetryInterval"/>; it never stops the
/// daemon: metrics are for watching failover, not a condition of it.
/// </summary>
public sealed partial class MetricsEndpoint : IAsyncDisposable
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly IPEndPoint _listen;
    private readonly CollectorRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public MetricsEndpoint(IPEndPoint listen, CollectorRegistry registry, ILogger logger)
    {
        _listen = listen;
        _registry = registry;
        _logger = logger;
    }

    public IPEndPoint Listen => _listen;

    /// <summary>The URL Prometheus scrapes.</summary>
    public string Url => $"http://{Host}:{_listen.Port}/metrics";

    private string Host => _listen.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{_listen.Address}]" : _listen.Address.ToString();

    /// <summary>Opens the listener (or keeps trying, beside the caller); returns at once.</summary>
    public void Start() => _running = Task.Run(() => ServeAsync(_stopping.Token));

    private async Task ServeAsync(CancellationToken stopping)
    {
        string? lastError = null;
        while (!stopping.IsCancellationRequested)
        {
            var server = new MetricServer(Host, _listen.Port, "metrics/", _registry);
            try
            {
                server.Start();
                Log.Serving(_logger, Url);
                await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
                await server.StopAsync();
                return;
            }
            catch (Exception e) when (e is HttpListenerException or SocketException or InvalidOperationException)
            {
                if (e.Message != lastError)
                    Log.CannotListen(_logger, Url, e.Message, RetryInterval.TotalSeconds);
                lastError = e.Message;
            }
            finally
            {
                server.Dispose();
            }
            await Task.Delay(RetryInterval, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _running;
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "serving metrics at {Url}")]
        public static partial void Serving(ILogger logger, string url);

        [LoggerMessage(Level = LogLevel.Error, Message = "cannot serve metrics at {Url}: {Error} (is another program on that port, or the address not on this node? check metrics.listen in the config); retrying every {Seconds} s, failover is not affected")]
        public static partial void CannotListen(ILogger logger, string url, string error, double seconds);
    }
}
