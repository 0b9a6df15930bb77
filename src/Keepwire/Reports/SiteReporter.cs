using System.Net;
using System.Net.Sockets;
using Keepwire.Model;
using Keepwire.Security;

namespace Keepwire.Reports;

/// <summary>
/// Sends the site's own verdict to one hub through the tunnel, signed for that hub. A lost datagram costs
/// nothing: the next one follows a pass later, and the hub keeps the last report until it is replaced.
/// </summary>
public sealed class SiteReporter : IDisposable
{
    private readonly Socket? _socket;
    private readonly IPEndPoint? _hub;
    private readonly IPAddress? _bindAddress;
    private readonly string _site;
    private readonly WireGuardDerivedKey _key;
    private readonly TimeProvider _time;
    private readonly Guid _boot = Guid.NewGuid();
    private bool _bound;
    private long _sequence;

    /// <param name="sitePrivateKey">The site's own WireGuard private key (read from its key file by the caller).</param>
    public SiteReporter(SiteNode site, HubNode hub, WireGuardKey sitePrivateKey, TimeProvider time)
    {
        _site = site.Name;
        _time = time;
        _key = SiteReportKey.ForSite(sitePrivateKey, hub.PublicKey, hub.Name, site.Name);
        // Report from the site's tunnel address to the hub's, in the family both have (IPv4 first).
        var (from, to) = site.Tunnel.IPv4 is { } v4 && hub.Tunnel.IPv4 is { } hubV4 ? (v4, hubV4)
            : site.Tunnel.IPv6 is { } v6 && hub.Tunnel.IPv6 is { } hubV6 ? (v6, hubV6)
            : (null, null);
        if (from is null || to is null)
            return;
        _hub = new IPEndPoint(to, SiteReport.Port);
        _socket = new Socket(from.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Bound on the first send that succeeds: the tunnel address may not exist yet when the agent starts.
        _bindAddress = from;
    }

    /// <summary>Sends one report; returns false when it could not (tunnel address not there yet, no route).</summary>
    public async Task<bool> SendAsync(bool healthy, string reason, CancellationToken cancellationToken)
    {
        if (_socket is null || _hub is null || _bindAddress is null)
            return false;
        try
        {
            if (!_bound)
            {
                _socket.Bind(new IPEndPoint(_bindAddress, 0));
                _bound = true;
            }
            var report = new SiteReport(_site, healthy, reason, _boot, Interlocked.Increment(ref _sequence), _time.GetUtcNow());
            await _socket.SendToAsync(SiteReportCodec.Encode(report, _key), SocketFlags.None, _hub, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _key.Dispose();
    }
}
