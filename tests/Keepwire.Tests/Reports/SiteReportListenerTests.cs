using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Keepwire.Decisions;
using Keepwire.Reports;
using Keepwire.Security;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Reports;

/// <summary>
/// The hub's report listener on loopback: 127.0.0.1 stands for the hub's tunnel address, 127.0.0.2 for
/// alpha's, and "lo" for the WireGuard interface.
/// </summary>
public sealed class SiteReportListenerTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly IPAddress Alpha = IPAddress.Parse("127.0.0.2");
    private readonly ReportKeys _keys = new();
    private readonly Channel<SiteAgentReport> _reports = Channel.CreateUnbounded<SiteAgentReport>();
    private SiteReportListener? _listener;

    [Fact]
    public async Task A_signed_report_through_the_tunnel_from_the_sites_address_is_taken()
    {
        var listener = await StartAsync("lo");

        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(reason: "disk full"), _keys.SiteSide));

        var report = await NextAsync();
        Assert.Equal(("alpha", false, "disk full"), (report.Site, report.Healthy, report.Reason));
        Assert.Equal(1, listener.Accepted);
    }

    [Fact]
    public async Task A_report_that_came_through_another_interface_is_refused_even_when_signed()
    {
        var listener = await StartAsync("kwnotthere0");

        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(), _keys.SiteSide));

        await Eventually.True(() => listener.Rejections()[SiteReportRejection.NotFromTunnel] == 1);
        Assert.Equal(0, listener.Accepted);
        Assert.False(_reports.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Forged_replayed_misnamed_and_unsigned_reports_are_refused_and_counted_and_the_genuine_one_still_counts()
    {
        var listener = await StartAsync("lo");
        var intruder = Keepwire.Configuration.KeyPair.Generate();
        using var forgedKey = SiteReportKey.ForSite(intruder.PrivateKey, _keys.Hub.PublicKey, "hub", "alpha");
        var first = SiteReportCodec.Encode(ReportKeys.Report(healthy: true, reason: "first", sequence: 1), _keys.SiteSide);

        await SendAsync(listener, Alpha, first);
        Assert.Equal("first", (await NextAsync()).Reason);
        await SendAsync(listener, Alpha, first);
        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(reason: "forged", sequence: 2), forgedKey));
        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(site: "bravo", reason: "misnamed", sequence: 3), _keys.SiteSide));
        await SendAsync(listener, Alpha, Encoding.UTF8.GetBytes("""{"site":"alpha","healthy":false,"reason":"unsigned","sequence":4}"""));
        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(reason: "old", sequence: 5, sentAt: DateTimeOffset.UtcNow.AddHours(-1)), _keys.SiteSide));
        await SendAsync(listener, IPAddress.Parse("127.0.0.3"), SiteReportCodec.Encode(ReportKeys.Report(reason: "stranger", sequence: 6), _keys.SiteSide));
        await SendAsync(listener, Alpha, SiteReportCodec.Encode(ReportKeys.Report(healthy: true, reason: "genuine", sequence: 7), _keys.SiteSide));

        Assert.Equal("genuine", (await NextAsync()).Reason);
        var rejections = listener.Rejections();
        Assert.Equal(1, rejections[SiteReportRejection.Replayed]);
        Assert.Equal(1, rejections[SiteReportRejection.BadTag]);
        Assert.Equal(1, rejections[SiteReportRejection.WrongSite]);
        Assert.Equal(1, rejections[SiteReportRejection.BadHeader]);
        Assert.Equal(1, rejections[SiteReportRejection.Stale]);
        Assert.Equal(1, rejections[SiteReportRejection.UnknownSource]);
        Assert.Equal(2, listener.Accepted);
    }

    private async Task<SiteReportListener> StartAsync(string tunnelInterface)
    {
        _listener = new SiteReportListener(
            [new IPEndPoint(IPAddress.Loopback, 0)],
            tunnelInterface,
            new Dictionary<IPAddress, string> { [Alpha] = "alpha" },
            () => new Dictionary<string, WireGuardDerivedKey> { ["alpha"] = _keys.HubSide },
            _reports.Writer,
            TimeProvider.System,
            NullLogger.Instance);
        _listener.Start();
        await Eventually.True(() => _listener.BoundPorts.Count == 1);
        return _listener;
    }

    private static async Task SendAsync(SiteReportListener listener, IPAddress from, byte[] datagram)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.SendToAsync(datagram, new IPEndPoint(IPAddress.Loopback, listener.BoundPorts[0]));
    }

    private async Task<SiteAgentReport> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _reports.Reader.ReadAsync(timeout.Token);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // xunit 2 ends a test class through IDisposable or IAsyncLifetime only; IAsyncDisposable alone is never called.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
            await _listener.DisposeAsync();
        _keys.Dispose();
    }
}
