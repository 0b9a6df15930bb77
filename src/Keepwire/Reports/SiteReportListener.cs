using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reports;

/// <summary>
/// Receives site reports on the hub's tunnel addresses (never on a public address) and turns the
/// ones whose source is a site's tunnel address into <see cref="SiteAgentReport"/>s for the decision
/// core. Anything else is dropped. Binding waits for the tunnel address to exist, retrying.
/// </summary>
public sealed partial class SiteReportListener : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<IPAddress, string> _siteByAddress;
    private readonly IReadOnlyList<IPAddress> _listenAddresses;
    private readonly ChannelWriter<SiteAgentReport> _reports;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public SiteReportListener(ClusterConfig config, HubNode hub, ChannelWriter<SiteAgentReport> reports, TimeProvider time, ILogger<SiteReportListener> logger)
    {
        _siteByAddress = config.Sites.SelectMany(s => s.Tunnel.All.Select(a => (Address: a, Site: s.Name))).ToDictionary(x => x.Address, x => x.Site);
        _listenAddresses = [.. hub.Tunnel.All];
        _reports = reports;
        _time = time;
        _logger = logger;
    }

    public void Start() => _running = Task.WhenAll(_listenAddresses.Select(a => Task.Run(() => ListenAsync(a, _stopping.Token))));

    private async Task ListenAsync(IPAddress address, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(address, SiteReport.Port));
                await ReceiveAsync(socket, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                // The tunnel address is not configured yet; the hub's first reconcile pass adds it.
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            }
            catch (SocketException e)
            {
                Log.ListenFailed(_logger, address, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            }
        }
    }

    private async Task ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[SiteReport.MaxBytes + 1];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (!_siteByAddress.TryGetValue(source, out var site))
                continue;
            if (SiteReport.TryParse(buffer.AsSpan(0, received.ReceivedBytes)) is not { } report)
                continue;
            await _reports.WriteAsync(new SiteAgentReport(site, report.Healthy, report.Reason, _time.GetUtcNow()), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot listen for site reports on {Address}: {Error}; retrying")]
        public static partial void ListenFailed(ILogger logger, IPAddress address, string error);
    }
}
