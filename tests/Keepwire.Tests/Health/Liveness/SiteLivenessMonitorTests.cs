using System.Net;
using System.Threading.Channels;
using Keepwire.Engine;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Keepwire.Tests.Decisions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Health.Liveness;

/// <summary>
/// The hub's liveness stream with a fake socket: one socket for every site, nothing blocks, only real answers count,
/// and answers are drained on the beat and counted at the time they arrived.
/// </summary>
public sealed class SiteLivenessMonitorTests : IAsyncDisposable
{
    private const int Tunnel = 7;
    private static readonly IPAddress Alpha = IPAddress.Parse("10.77.0.2");
    private static readonly IPAddress Bravo = IPAddress.Parse("10.77.0.3");
    private static readonly IPAddress Charlie = IPAddress.Parse("10.77.0.4");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeSocket _socket;
    private readonly Channel<LivenessObservation> _output = Channel.CreateUnbounded<LivenessObservation>();
    private readonly byte[] _buffer = new byte[LivenessEcho.Size];
    private readonly RecordingLogger _log = new();
    private readonly SiteLivenessMonitor _monitor;
    private int _opened;

    public SiteLivenessMonitorTests()
    {
        _socket = new FakeSocket { Clock = _clock };
        _monitor = new SiteLivenessMonitor(LivenessSettings.Default, [new("alpha", Alpha), new("bravo", Bravo)],
            _ => { _opened++; return _socket; }, index => index == Tunnel, _output.Writer, _clock, _log);
    }

    public async ValueTask DisposeAsync()
    {
        await _monitor.DisposeAsync();
        _socket.Dispose();
    }

    [Fact]
    public void One_socket_sends_every_site_its_datagram_each_beat_and_a_failed_send_holds_up_nobody()
    {
        _socket.Refuse.Add(Alpha);

        _monitor.Beat(_buffer);

        Assert.Equal(1, _opened);
        Assert.Equal([Alpha, Bravo], _socket.Sent.Select(s => s.To.Address));
        Assert.All(_socket.Sent, s => Assert.Equal(LivenessEcho.Port, s.To.Port));
        var status = _monitor.Status();
        Assert.Equal(1, status.Single(s => s.Site == "alpha").SendFailures);
        Assert.Equal(0, status.Single(s => s.Site == "bravo").SendFailures);
    }

    [Fact]
    public void Only_answers_through_the_tunnel_from_the_sites_own_address_count()
    {
        Beat();
        var toBravo = _socket.Sent.Single(s => s.To.Address.Equals(Bravo)).Bytes;

        _monitor.Count(toBravo, new LivenessDatagram(toBravo.Length, Alpha, Tunnel));
        _monitor.Count(toBravo, new LivenessDatagram(toBravo.Length, Bravo, Tunnel + 1));
        _monitor.Count(toBravo, new LivenessDatagram(toBravo.Length, IPAddress.Parse("10.77.0.9"), Tunnel));
        _monitor.Count(toBravo.AsSpan(0, 11), new LivenessDatagram(11, Bravo, Tunnel));
        _monitor.Count(toBravo, new LivenessDatagram(toBravo.Length, Bravo.MapToIPv6(), Tunnel));

        var status = _monitor.Status();
        Assert.Equal(0, status.Single(s => s.Site == "alpha").Answered);
        Assert.Equal(1, status.Single(s => s.Site == "alpha").Dropped);
        Assert.Equal(1, status.Single(s => s.Site == "bravo").Answered);
        Assert.Equal(1, status.Single(s => s.Site == "bravo").Dropped);
        Assert.Equal(2, _monitor.Rejected);
        Assert.True(_output.Reader.TryRead(out var first));
        Assert.Equal(("bravo", true), (first.Site, first.Alive));
    }

    [Fact]
    public void A_silent_site_is_lost_and_the_other_is_not_disturbed()
    {
        UpPastStartup();
        for (var i = 0; i < 3; i++)
        {
            Beat();
            AnswerFrom(Bravo);
        }
        Drain();

        Beat();
        Assert.Empty(Drain());
        Assert.Equal(1 + LivenessSession.PollDatagrams, _socket.Sent.Count(s => s.To.Address.Equals(Alpha) && s.At == _clock.GetUtcNow()));
        for (var i = 0; i < LivenessSession.PollBeats - 1; i++)
        {
            AnswerFrom(Bravo);
            Beat();
            Assert.Empty(Drain());
        }
        AnswerFrom(Bravo);
        Beat();

        var lost = Assert.Single(Drain());
        Assert.Equal(("alpha", false), (lost.Site, lost.Alive));
        Assert.Equal("liveness lost for 240 ms (3 of 3 missed, then a poll)", lost.Detail);
        Assert.Equal("up", _monitor.Status().Single(s => s.Site == "bravo").State);
    }

    [Fact]
    public void A_loss_is_reported_to_the_engine_every_detection_time_but_logged_once_until_the_site_answers_again()
    {
        UpPastStartup();
        Drain();

        for (var i = 0; i < 40; i++)
        {
            Beat();
            AnswerFrom(Bravo);
        }
        var reports = Drain();
        AnswerFrom(Alpha);

        Assert.True(reports.Count(o => o is { Site: "alpha", Alive: false }) >= 3, $"{reports.Count} reports in 40 beats");
        Assert.Single(_log.Entries, e => e.Message.StartsWith("alpha: liveness lost for", StringComparison.Ordinal));
        Assert.Single(_log.Entries, e => e.Message.StartsWith("alpha: liveness answering again", StringComparison.Ordinal));
    }

    [Fact]
    public void Answers_waiting_in_the_socket_count_before_silence_is_judged_at_the_time_they_arrived()
    {
        UpPastStartup();
        Drain();
        // Two beats without an answer read (the hub did not drain them), though both sites answered 1 ms after each send.
        for (var i = 0; i < 2; i++)
        {
            Beat();
            Arrive(Alpha, TimeSpan.FromMilliseconds(1));
            Arrive(Bravo, TimeSpan.FromMilliseconds(1));
        }
        // The hub is late: the third beat comes after the detection time.
        _clock.Advance(LivenessSettings.DefaultInterval * LivenessSettings.DefaultMultiplier);
        Beat();

        Assert.Empty(Drain());
        Assert.Empty(_socket.Incoming);
        var alpha = _monitor.Status().Single(s => s.Site == "alpha");
        Assert.Equal(("up", TimeSpan.FromMilliseconds(1)), (alpha.State, alpha.LastRtt));
    }

    /// <summary>The site's answer to its last datagram waits in the socket, received <paramref name="after"/> that datagram was sent.</summary>
    private void Arrive(IPAddress site, TimeSpan after)
    {
        var last = _socket.Sent.Last(s => s.To.Address.Equals(site));
        _socket.Incoming.Enqueue((last.Bytes, new LivenessDatagram(last.Bytes.Length, site, Tunnel, last.At + after)));
    }

    [Fact]
    public async Task A_monitor_replacing_one_on_reload_starts_the_sites_that_were_up_past_their_startup_window()
    {
        var replacement = AfterReloadWithAlphaUp();
        await using (replacement)
        {
            Tick(replacement);
            Answer(replacement, Alpha);
            Answer(replacement, Bravo);
            Drain();

            // Both fall silent: alpha, up before the reload, is lost in the steady state's time; bravo, new, has its
            // startup window's second.
            var lost = TickAndDrain(replacement, beats: 10);
            Assert.Equal(["alpha"], lost.Select(o => o.Site).Distinct());
            Assert.All(lost, o => Assert.False(o.Alive));
        }
    }

    [Fact]
    public async Task A_site_up_before_a_reload_and_silent_from_the_first_beat_after_it_is_lost_all_the_same()
    {
        var replacement = AfterReloadWithAlphaUp();
        await using (replacement)
        {
            // Cut right after the reload: neither answers the new monitor once.
            var lost = TickAndDrain(replacement, beats: 10);

            // Lost 200 ms after the first beat (its stand-in for the last answer), and again every detection time.
            Assert.Equal(["alpha"], lost.Select(o => o.Site).Distinct());
            Assert.All(lost, o => Assert.False(o.Alive));
            Assert.Equal("liveness lost for 200 ms (3 of 3 missed, then a poll)", lost[0].Detail);
            // bravo was not up before: it is judged once it answers, as at a start.
            Assert.Equal("waiting", replacement.Status().Single(s => s.Site == "bravo").State);
        }
    }

    /// <summary>The monitor a reload builds for alpha and bravo, alpha having been up before it.</summary>
    private SiteLivenessMonitor AfterReloadWithAlphaUp() =>
        new(LivenessSettings.Default, [new("alpha", Alpha), new("bravo", Bravo)],
            _ => _socket, index => index == Tunnel, _output.Writer, _clock, NullLogger.Instance, alreadyUp: new HashSet<string> { "alpha" });

    /// <summary>Runs <paramref name="beats"/> beats of <paramref name="monitor"/> and returns what they observed.</summary>
    private List<LivenessObservation> TickAndDrain(SiteLivenessMonitor monitor, int beats)
    {
        var observed = new List<LivenessObservation>();
        for (var i = 0; i < beats; i++)
        {
            Tick(monitor);
            observed.AddRange(Drain());
        }
        return observed;
    }

    private void Tick(SiteLivenessMonitor monitor)
    {
        _clock.Advance(LivenessSettings.DefaultInterval);
        monitor.Beat(_buffer);
    }

    private void Answer(SiteLivenessMonitor monitor, IPAddress site)
    {
        var last = _socket.Sent.Last(s => s.To.Address.Equals(site)).Bytes;
        monitor.Count(last, new LivenessDatagram(last.Length, site, Tunnel));
    }

    private void Beat() => Tick(_monitor);

    /// <summary>Both sites answer every beat until their sessions are past the startup window (its generous allowance).</summary>
    private void UpPastStartup()
    {
        var until = _clock.GetUtcNow() + LivenessSession.DefaultStartupWindow + LivenessSettings.DefaultInterval;
        while (_clock.GetUtcNow() < until)
            AnswerAll();
    }

    private void AnswerAll()
    {
        Beat();
        AnswerFrom(Alpha);
        AnswerFrom(Bravo);
    }

    private void AnswerFrom(IPAddress site) => Answer(_monitor, site);

    private List<LivenessObservation> Drain()
    {
        var all = new List<LivenessObservation>();
        while (_output.Reader.TryRead(out var o))
            all.Add(o);
        return all;
    }

    [Fact]
    public async Task A_site_without_an_agent_gets_its_datagrams_through_the_icmp_socket_and_counts_the_same()
    {
        var icmp = new FakeSocket { Clock = _clock };
        var opened = new List<LivenessSocketKind>();
        await using var monitor = new SiteLivenessMonitor(LivenessSettings.Default, [new("alpha", Alpha), new("charlie", Charlie, LivenessTransport.IcmpEcho)],
            kind => { opened.Add(kind); return kind.Transport == LivenessTransport.IcmpEcho ? icmp : _socket; }, index => index == Tunnel, _output.Writer, _clock, NullLogger.Instance);

        monitor.Beat(_buffer);
        var toCharlie = Assert.Single(icmp.Sent);
        monitor.Count(toCharlie.Bytes, new LivenessDatagram(toCharlie.Bytes.Length, Charlie, Tunnel));

        Assert.Equal([new LivenessSocketKind(System.Net.Sockets.AddressFamily.InterNetwork, LivenessTransport.AgentEcho), new LivenessSocketKind(System.Net.Sockets.AddressFamily.InterNetwork, LivenessTransport.IcmpEcho)], opened);
        Assert.Equal(Alpha, Assert.Single(_socket.Sent).To.Address);
        Assert.Equal(Charlie, toCharlie.To.Address);
        Assert.Equal(1, monitor.Status().Single(s => s.Site == "charlie").Answered);
    }

    [Fact]
    public async Task Without_an_icmp_socket_the_sites_without_an_agent_are_left_unjudged_and_the_others_go_on()
    {
        await using var monitor = new SiteLivenessMonitor(LivenessSettings.Default, [new("alpha", Alpha), new("charlie", Charlie, LivenessTransport.IcmpEcho)],
            kind => kind.Transport == LivenessTransport.IcmpEcho ? throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.AccessDenied) : _socket,
            index => index == Tunnel, _output.Writer, _clock, NullLogger.Instance);

        monitor.Beat(_buffer);

        Assert.Equal(["alpha"], monitor.Status().Select(s => s.Site));
        Assert.Equal(Alpha, Assert.Single(_socket.Sent).To.Address);
    }

    [Fact]
    public void Agent_sites_answer_the_agent_echo_and_snat_sites_icmp_in_a_family_the_hub_has()
    {
        var hub = DeciderHarness.Hub() with { Tunnel = TunnelAddresses.Host(IPAddress.Parse("10.77.0.1"), null) };
        var config = new ClusterConfig("k.yaml", [hub],
        [
            DeciderHarness.Node("alpha", 300) with { Tunnel = TunnelAddresses.Host(Alpha, IPAddress.Parse("fd77::2")) },
            DeciderHarness.Node("charlie", 200) with { Tunnel = TunnelAddresses.Host(Charlie, null), Mode = SiteMode.Snat },
            DeciderHarness.Node("delta", 100) with { Tunnel = TunnelAddresses.Host(null, IPAddress.Parse("fd77::4")) },
        ], []);

        Assert.Equal([new LivenessTarget("alpha", Alpha), new LivenessTarget("charlie", Charlie, LivenessTransport.IcmpEcho)], SiteLivenessMonitor.SitesOf(config, hub));
        Assert.Empty(SiteLivenessMonitor.SitesOf(config with { Liveness = LivenessSettings.Default with { Enabled = false } }, hub));
    }

    private sealed class FakeSocket : ILivenessSocket
    {
        public List<(IPEndPoint To, byte[] Bytes, DateTimeOffset At)> Sent { get; } = [];

        public required TimeProvider Clock { get; init; }

        public HashSet<IPAddress> Refuse { get; } = [];

        /// <summary>Answers waiting to be read, with the time the kernel received each.</summary>
        public Queue<(byte[] Bytes, LivenessDatagram Datagram)> Incoming { get; } = [];

        public bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram)
        {
            Sent.Add((site, datagram.ToArray(), Clock.GetUtcNow()));
            return !Refuse.Contains(site.Address);
        }

        public bool TryReceive(Span<byte> buffer, out LivenessDatagram datagram)
        {
            if (!Incoming.TryDequeue(out var next))
            {
                datagram = default;
                return false;
            }
            next.Bytes.CopyTo(buffer);
            datagram = next.Datagram;
            return true;
        }

        public void Dispose()
        {
        }
    }

}
