using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Keepwire.Engine;
using Keepwire.Model;
using Microsoft.Extensions.Logging;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The hub's side of site liveness: every interval one datagram to every site's tunnel address through one socket
/// per address family and transport (not one per site), and the answers counted per site (<see cref="LivenessSession"/>).
/// Agent sites echo it over UDP; sites without an agent get it inside an ICMP echo request, which their kernel answers
/// (<see cref="LivenessTransport"/>).
/// Losses and regains go to the engine as <see cref="LivenessObservation"/>s; nothing else wakes the hub's loop.
/// An answer counts only when it came in through the hub's WireGuard interface from the site's own tunnel address
/// (WireGuard delivers such a packet only if that site's key encrypted it) and holds a number sent to that site;
/// anything else is dropped and counted. Nothing waits: sends fail rather than block, so one site's trouble never
/// delays another's datagrams, and the answers are drained at the start of each beat, counted at the time the kernel
/// received them: one wake-up a beat for every site, not one per answer, and no silence judged while answers wait
/// unread (the hub was behind, not the site). The engine holds a loss the hub stalled through against the hub
/// (<see cref="StallRule"/>).
/// </summary>
public sealed partial class SiteLivenessMonitor : IAsyncDisposable
{
    private readonly LivenessSettings _settings;
    private readonly IReadOnlyList<(LivenessSession Session, IPEndPoint Endpoint, LivenessSocketKind Kind)> _sites;
    private readonly Dictionary<IPAddress, LivenessSession> _byAddress = [];
    private readonly Dictionary<LivenessSocketKind, ILivenessSocket> _sockets = [];
    private readonly Func<int, bool> _fromTunnel;
    private readonly ChannelWriter<LivenessObservation> _output;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _counting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _received = new byte[LivenessEcho.Size + 1];
    private Task _beating = Task.CompletedTask;
    private long _rejected;

    /// <param name="sites">Each site judged, with the tunnel address it is sent to and how it answers.</param>
    /// <param name="open">
    /// Opens the socket of an address family and transport (one per kind that some site needs). When an ICMP socket
    /// cannot be opened (no CAP_NET_RAW), the sites that need it are left unjudged, as a site that never answered is;
    /// their checks decide.
    /// </param>
    /// <param name="fromTunnel">Whether an interface index is the hub's WireGuard interface.</param>
    /// <param name="alreadyUp">
    /// Sites that were up in the monitor this one replaces (a reload): their sessions skip the startup window, which is
    /// for sites and hubs just started, so a reload does not relax liveness for everyone, and are judged from the first
    /// beat (they count as having answered just before it), so a site cut right after a reload is still lost by liveness.
    /// </param>
    public SiteLivenessMonitor(
        LivenessSettings settings,
        IReadOnlyList<LivenessTarget> sites,
        Func<LivenessSocketKind, ILivenessSocket> open,
        Func<int, bool> fromTunnel,
        ChannelWriter<LivenessObservation> output,
        TimeProvider time,
        ILogger logger,
        IReadOnlySet<string>? alreadyUp = null)
    {
        _settings = settings;
        _fromTunnel = fromTunnel;
        _output = output;
        _time = time;
        _logger = logger;
        var list = new List<(LivenessSession, IPEndPoint, LivenessSocketKind)>();
        var unavailable = new HashSet<LivenessSocketKind>();
        try
        {
            foreach (var target in sites)
            {
                if (!TryOpen(target.Kind, open, unavailable))
                    continue;
                var up = alreadyUp?.Contains(target.Site) == true;
                var session = new LivenessSession(target.Site, settings.Interval, settings.Multiplier, startupWindow: up ? TimeSpan.Zero : null, upAlready: up);
                list.Add((session, new IPEndPoint(target.Address, target.Transport == LivenessTransport.AgentEcho ? LivenessEcho.Port : 0), target.Kind));
                _byAddress[target.Address] = session;
            }
        }
        catch
        {
            foreach (var socket in _sockets.Values)
                socket.Dispose();
            throw;
        }
        _sites = list;
    }

    /// <summary>Opens the socket of <paramref name="kind"/> once; an ICMP socket that cannot be opened is logged and skipped.</summary>
    private bool TryOpen(LivenessSocketKind kind, Func<LivenessSocketKind, ILivenessSocket> open, HashSet<LivenessSocketKind> unavailable)
    {
        if (_sockets.ContainsKey(kind))
            return true;
        if (unavailable.Contains(kind))
            return false;
        try
        {
            _sockets[kind] = open(kind);
            return true;
        }
        catch (SocketException e) when (kind.Transport == LivenessTransport.IcmpEcho)
        {
            unavailable.Add(kind);
            Log.NoIcmpSocket(_logger, kind.Family, e.Message);
            return false;
        }
    }

    /// <summary>The sites whose liveness is sent for.</summary>
    public int Sites => _sites.Count;

    /// <summary>Datagrams on the liveness sockets from no site's tunnel address, or not through the WireGuard interface.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>The sites whose liveness is up now: what a monitor replacing this one starts from.</summary>
    public IReadOnlySet<string> UpSites() => Status().Where(s => s.State == "up").Select(s => s.Site).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every site's liveness now, for status and metrics.</summary>
    public IReadOnlyList<LivenessStatus> Status()
    {
        lock (_counting)
            return [.. _sites.Select(s => s.Session.Status())];
    }

    public void Start()
    {
        if (_sites.Count == 0)
            return;
        _beating = Task.Run(() => BeatAsync(_stopping.Token));
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_settings.Interval, _time);
        var datagram = new byte[LivenessEcho.Size];
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
                Beat(datagram);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// One beat: count the answers that came since the last, then judge every site, then send each its next datagram
    /// (a suspected site a poll too).
    /// </summary>
    internal void Beat(byte[] datagram)
    {
        foreach (var socket in _sockets.Values)
        {
            while (socket.TryReceive(_received, out var received))
                Count(_received.AsSpan(0, received.Length), received);
        }
        lock (_counting)
        {
            var now = _time.GetUtcNow();
            foreach (var (session, _, _) in _sites)
            {
                var wasLost = session.Lost;
                if (session.Judge(now) is { } lost)
                {
                    // Judge repeats a loss every detection time, so the engine's evidence stays fresh; the log says it
                    // once, and Count says when the site answers again (a dead site once wrote seven lines a second).
                    if (!wasLost)
                        Log.Lost(_logger, lost.Site, lost.Detail);
                    _output.TryWrite(lost);
                }
            }
            foreach (var (session, endpoint, kind) in _sites)
            {
                var datagrams = session.TakePoll() ? 1 + LivenessSession.PollDatagrams : 1;
                for (var i = 0; i < datagrams; i++)
                {
                    LivenessEcho.Write(session.Next(now), datagram);
                    if (!_sockets[kind].TrySend(endpoint, datagram))
                        session.SendFailed();
                }
            }
        }
    }

    /// <summary>Counts one answer at the time the kernel received it (the caller's clock when it does not say).</summary>
    internal void Count(ReadOnlySpan<byte> bytes, LivenessDatagram received)
    {
        var source = received.Source.IsIPv4MappedToIPv6 ? received.Source.MapToIPv4() : received.Source;
        if (!_byAddress.TryGetValue(source, out var session) || !_fromTunnel(received.InterfaceIndex))
        {
            var count = Interlocked.Increment(ref _rejected);
            if (Security.RejectionCounter.WorthLogging(count))
                Log.Rejected(_logger, source, count);
            return;
        }
        LivenessObservation? regained;
        lock (_counting)
        {
            var at = received.ReceivedAt ?? _time.GetUtcNow();
            regained = LivenessEcho.TryRead(bytes, out var seq) ? session.Answer(seq, at) : session.BadAnswer();
        }
        if (regained is not null)
        {
            Log.Regained(_logger, regained.Site, regained.Detail);
            _output.TryWrite(regained);
        }
    }

    /// <summary>
    /// Stops the beats first and waits for one under way, so no beat touches a closed socket (a reload disposes the
    /// old monitor while the hub runs on); then closes the sockets.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _beating;
        foreach (var socket in _sockets.Values)
            socket.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Every site of <paramref name="config"/>, each with its tunnel address in a family the hub has too (IPv4 first):
    /// agent sites answer the agent's echo, <c>mode: snat</c> sites (no agent) ICMP echo.
    /// </summary>
    public static IReadOnlyList<LivenessTarget> SitesOf(ClusterConfig config, HubNode hub)
    {
        var sites = new List<LivenessTarget>();
        if (!config.Liveness.Enabled)
            return sites;
        foreach (var site in config.Sites)
        {
            var transport = site.Mode == SiteMode.Agent ? LivenessTransport.AgentEcho : LivenessTransport.IcmpEcho;
            if (site.Tunnel.IPv4 is { } v4 && hub.Tunnel.IPv4 is not null)
                sites.Add(new LivenessTarget(site.Name, v4, transport));
            else if (site.Tunnel.IPv6 is { } v6 && hub.Tunnel.IPv6 is not null)
                sites.Add(new LivenessTarget(site.Name, v6, transport));
        }
        return sites;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Site}: {Detail}")]
        public static partial void Lost(ILogger logger, string site, string detail);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Site}: {Detail}")]
        public static partial void Regained(ILogger logger, string site, string detail);

        [LoggerMessage(Level = LogLevel.Warning, Message = "liveness: cannot open an {Family} ICMP socket ({Reason}); sites without an agent are judged by their checks alone")]
        public static partial void NoIcmpSocket(ILogger logger, AddressFamily family, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "liveness: a datagram from {Source}, which is no site's tunnel address or did not come through the tunnel ({Count} so far), dropped")]
        public static partial void Rejected(ILogger logger, IPAddress source, long count);
    }
}
