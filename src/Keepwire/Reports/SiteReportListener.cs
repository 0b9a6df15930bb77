using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Keepwire.Adapters.Posix;
using Keepwire.Configuration;
using Keepwire.Decisions;
using Keepwire.Model;
using Keepwire.Security;
using Microsoft.Extensions.Logging;

namespace Keepwire.Reports;

/// <summary>
/// Receives site reports on the hub's tunnel addresses (never on a public address) and turns the authentic
/// ones into <see cref="SiteAgentReport"/>s for the decision core. A report counts only when all of these
/// hold: it arrived through the hub's WireGuard interface (a packet to the hub's tunnel address sent to its
/// public interface, with a site's tunnel address forged as its source, does not), its source is a site's
/// tunnel address (WireGuard delivers such a packet only if that site's key encrypted it), it carries that
/// site's tag (<see cref="SiteReportKey"/>: nobody on the site machine without its private key can speak for
/// it), it names that site, and it is newer than the site's last one (<see cref="SiteReportGuard"/>).
/// Everything else is dropped and counted by reason. Binding waits for the tunnel address to exist, retrying;
/// the keys are derived once the hub's key file can be read.
/// </summary>
public sealed partial class SiteReportListener : IAsyncDisposable
{
    /// <summary>How often a failed key derivation or interface lookup is retried.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<IPEndPoint> _listen;
    private readonly string _tunnelInterface;
    private readonly InterfaceIndexCache _tunnel;
    private readonly IReadOnlyDictionary<IPAddress, string> _siteByAddress;
    private readonly Func<IReadOnlyDictionary<string, WireGuardDerivedKey>> _deriveKeys;
    private readonly ChannelWriter<SiteAgentReport> _reports;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SiteReportGuard _guard;
    private readonly Lock _admitting = new();
    private readonly RejectionCounter<SiteReportRejection> _rejections = new();
    private readonly CancellationTokenSource _stopping = new();
    private IReadOnlyDictionary<string, WireGuardDerivedKey>? _keys;
    private Task _running = Task.CompletedTask;
    private long _accepted;

    public SiteReportListener(ClusterConfig config, HubNode hub, ChannelWriter<SiteAgentReport> reports, TimeProvider time, ILogger<SiteReportListener> logger)
        : this(
            [.. hub.Tunnel.All.Select(a => new IPEndPoint(a, SiteReport.Port))],
            hub.Interface,
            config.Sites.SelectMany(s => s.Tunnel.All.Select(a => (Address: a, Site: s.Name))).ToDictionary(x => x.Address, x => x.Site),
            () => DeriveKeys(config, hub),
            reports,
            time,
            logger)
    {
    }

    /// <summary>For tests: any endpoints (port 0 included), any interface, keys made by the caller.</summary>
    internal SiteReportListener(
        IReadOnlyList<IPEndPoint> listen,
        string tunnelInterface,
        IReadOnlyDictionary<IPAddress, string> siteByAddress,
        Func<IReadOnlyDictionary<string, WireGuardDerivedKey>> deriveKeys,
        ChannelWriter<SiteAgentReport> reports,
        TimeProvider time,
        ILogger logger)
    {
        _listen = listen;
        _tunnelInterface = tunnelInterface;
        _tunnel = new InterfaceIndexCache(tunnelInterface, time);
        _siteByAddress = siteByAddress;
        _deriveKeys = deriveKeys;
        _reports = reports;
        _time = time;
        _logger = logger;
        _guard = new SiteReportGuard(time);
    }

    /// <summary>Reports taken so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Datagrams on the report port not taken so far, by reason.</summary>
    public IReadOnlyDictionary<SiteReportRejection, long> Rejections() => _rejections.Snapshot();

    /// <summary>The ports the sockets are bound to, once bound (for tests that listen on port 0).</summary>
    internal List<int> BoundPorts { get; } = [];

    public void Start() => _running = Task.Run(() => RunAsync(_stopping.Token));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (_keys is null)
        {
            try
            {
                _keys = _deriveKeys();
            }
            catch (Exception e) when (e is KeyFileException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Log.NoKeys(_logger, e.Message);
                await Task.Delay(RetryInterval * 10, _time, cancellationToken);
            }
        }
        await Task.WhenAll(_listen.Select(endpoint => ListenAsync(endpoint, cancellationToken)));
    }

    private async Task ListenAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(endpoint);
                lock (BoundPorts)
                    BoundPorts.Add(((IPEndPoint)socket.LocalEndPoint!).Port);
                await ReceiveAsync(socket, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                // The tunnel address is not configured yet; the hub's first reconcile pass adds it.
                await Task.Delay(RetryInterval, _time, cancellationToken);
            }
            catch (SocketException e)
            {
                Log.ListenFailed(_logger, endpoint.Address, e.Message);
                await Task.Delay(RetryInterval, _time, cancellationToken);
            }
        }
    }

    private async Task ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[SiteReport.MaxBytes + 1];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                // With the packet's interface: the tunnel address is reachable through every interface (weak host model).
                received = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.AddressNotAvailable)
            {
                continue;
            }

            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (Admit(buffer.AsSpan(0, received.ReceivedBytes), source, received.PacketInformation.Interface) is { } report)
            {
                Interlocked.Increment(ref _accepted);
                await _reports.WriteAsync(report, cancellationToken);
            }
        }
    }

    private SiteAgentReport? Admit(ReadOnlySpan<byte> datagram, IPAddress source, int interfaceIndex)
    {
        lock (_admitting)
        {
            if (!_tunnel.Matches(interfaceIndex))
                return Reject(SiteReportRejection.NotFromTunnel, source, null);
            if (!_siteByAddress.TryGetValue(source, out var site) || !_keys!.TryGetValue(site, out var key))
                return Reject(SiteReportRejection.UnknownSource, source, null);
            if (!SiteReportCodec.TryDecode(datagram, key, out var report, out var rejection))
                return Reject(rejection, source, site);
            if (report.Site != site)
                return Reject(SiteReportRejection.WrongSite, source, site);
            if (_guard.Admit(report) is { } refused)
                return Reject(refused, source, site);
            return new SiteAgentReport(site, report.Healthy, report.Reason, _time.GetUtcNow());
        }
    }

    private SiteAgentReport? Reject(SiteReportRejection reason, IPAddress source, string? site)
    {
        var count = _rejections.Count(reason);
        if (!RejectionCounter.WorthLogging(count))
            return null;
        switch (reason)
        {
            case SiteReportRejection.NotFromTunnel:
                Log.NotFromTunnel(_logger, source, _tunnelInterface, count);
                break;
            case SiteReportRejection.UnknownSource:
                Log.UnknownSource(_logger, source, count);
                break;
            case SiteReportRejection.BadHeader:
                Log.BadHeader(_logger, site ?? "?", source, count);
                break;
            case SiteReportRejection.BadTag:
                Log.BadTag(_logger, site ?? "?", source, count);
                break;
            case SiteReportRejection.Stale:
                Log.Stale(_logger, site ?? "?", SiteReportGuard.Freshness.TotalSeconds, count);
                break;
            default:
                Log.Rejected(_logger, site ?? "?", source, reason, count);
                break;
        }
        return null;
    }

    private static IReadOnlyDictionary<string, WireGuardDerivedKey> DeriveKeys(ClusterConfig config, HubNode hub)
    {
        var own = KeyFile.ReadPrivateKey(hub.PrivateKeyFile, hub.PublicKey);
        return config.Sites.ToDictionary(s => s.Name, s => SiteReportKey.ForHub(own, s.PublicKey, hub.Name, s.Name));
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
        foreach (var key in _keys?.Values ?? [])
            key.Dispose();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "cannot listen for site reports on {Address}: {Error}; retrying")]
        public static partial void ListenFailed(ILogger logger, IPAddress address, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "site reports: cannot derive the sites' report keys, so no report counts until it can: {Error}; retrying")]
        public static partial void NoKeys(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "site reports: a datagram from {Source} did not come through {Interface} ({Count} so far): a spoofed source address, dropped")]
        public static partial void NotFromTunnel(ILogger logger, IPAddress source, string @interface, long count);

        [LoggerMessage(Level = LogLevel.Debug, Message = "site reports: a datagram from {Source}, which is no site's tunnel address ({Count} so far)")]
        public static partial void UnknownSource(ILogger logger, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "site reports: site {Site} ({Source}) sends unsigned reports ({Count} so far): its agent is older than this hub; upgrade it")]
        public static partial void BadHeader(ILogger logger, string site, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "site reports: a report from {Site} ({Source}) with a bad tag ({Count} so far): forged on the site, or the site's or hub's key in the config does not match its key file")]
        public static partial void BadTag(ILogger logger, string site, IPAddress source, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "site reports: a report from {Site} more than {Seconds} s from this hub's clock ({Count} so far): is the site's clock synchronised by NTP?")]
        public static partial void Stale(ILogger logger, string site, double seconds, long count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "site reports: a report from {Site} ({Source}) rejected: {Reason} ({Count} so far)")]
        public static partial void Rejected(ILogger logger, string site, IPAddress source, SiteReportRejection reason, long count);
    }
}
