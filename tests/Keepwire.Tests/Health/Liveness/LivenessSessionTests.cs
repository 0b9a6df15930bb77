using Keepwire.Engine;
using Keepwire.Health.Liveness;

namespace Keepwire.Tests.Health.Liveness;

/// <summary>One site's liveness counting: BFD-like, on times passed in.</summary>
public sealed class LivenessSessionTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // Without the startup window: these tests count the steady state (the window has its own test).
    private readonly LivenessSession _session = new("alpha", Interval, 3, firstSeq: 1, startupWindow: TimeSpan.Zero);

    private static DateTimeOffset At(double ms) => T0 + TimeSpan.FromMilliseconds(ms);

    /// <summary>The site answers the datagram sent at 0; the 8 sent every 50 ms after it go unanswered. Returns their numbers.</summary>
    private List<ulong> AnsweredOnceThenSilent()
    {
        _session.Answer(_session.Next(At(0)), At(1));
        return [.. Enumerable.Range(1, 8).Select(i => _session.Next(At(i * 50)))];
    }

    [Fact]
    public void A_site_that_never_answered_is_never_judged()
    {
        for (var i = 0; i < 100; i++)
        {
            _session.Next(At(i * 50));
            Assert.Null(_session.Judge(At(i * 50)));
        }
        Assert.Equal("waiting", _session.Status().State);
    }

    [Fact]
    public void Three_unanswered_datagrams_over_the_detection_time_lose_the_site_and_say_so()
    {
        var first = _session.Answer(_session.Next(At(0)), At(1));
        Assert.True(first!.Alive);
        Assert.Equal("liveness answering (rtt 1.0 ms)", first.Detail);

        _session.Next(At(50));
        _session.Next(At(100));
        Assert.Null(_session.Judge(At(150)));
        _session.Next(At(150));
        Assert.False(_session.TakePoll());

        Assert.Null(_session.Judge(At(200)));
        Assert.True(_session.TakePoll());
        Assert.False(_session.TakePoll());
        for (var i = 0; i <= LivenessSession.PollDatagrams; i++)
            _session.Next(At(200));
        _session.Next(At(250));
        Assert.Null(_session.Judge(At(274)));
        // Two beats after the poll it is judged, also when the timer fires a little early.
        var lost = _session.Judge(At(299));

        Assert.NotNull(lost);
        Assert.False(lost.Alive);
        Assert.Equal("alpha", lost.Site);
        Assert.Equal("liveness lost for 298 ms (3 of 3 missed, then a poll)", lost.Detail);
        Assert.Equal(TimeSpan.FromMilliseconds(150), lost.Window);
        Assert.True(_session.Lost);
    }

    [Fact]
    public void A_site_that_answered_late_recently_gets_that_much_more_silence_and_the_allowance_fades()
    {
        // The first answer waited for the tunnel's handshake: it says nothing of the site's lateness.
        _session.Answer(_session.Next(At(-2000)), At(0));
        Assert.Equal(TimeSpan.Zero, _session.LateAllowance(At(0)));

        // A stall on the site's side: the datagram sent at 0 is answered 260 ms later.
        _session.Answer(_session.Next(At(0)), At(260));
        Assert.Equal(TimeSpan.FromMilliseconds(260), _session.LateAllowance(At(260)));
        for (var t = 300; t <= 700; t += 50)
            _session.Next(At(t));

        // Silent since 260: the plain 150 ms would suspect it at 410; it gets about 260 ms more.
        Assert.Null(_session.Judge(At(650)));
        Assert.False(_session.TakePoll());
        Assert.Null(_session.Judge(At(700)));
        Assert.True(_session.TakePoll());

        // Prompt answers do not lower it at once; time does, by half every 30 s.
        Assert.Equal(130, _session.LateAllowance(At(260) + LivenessSession.LatePeakHalfLife).TotalMilliseconds, 3);
        Assert.Equal(TimeSpan.Zero, new LivenessSession("bravo", Interval, 3).LateAllowance(At(0)));
    }

    [Fact]
    public void Answers_queued_behind_an_outage_do_not_raise_the_late_answer_allowance()
    {
        var queued = AnsweredOnceThenSilent();
        Assert.Null(_session.Judge(At(210)));
        Assert.NotNull(_session.Judge(At(310)));

        // The link returns at 1000: WireGuard delivers what it queued, answered one after the other.
        Assert.True(_session.Answer(queued[0], At(1000))!.Alive);
        foreach (var seq in queued.Skip(1))
            _session.Answer(seq, At(1001));

        Assert.Equal(TimeSpan.Zero, _session.LateAllowance(At(1001)));
        // A late answer to a datagram sent since it is up again counts.
        _session.Answer(_session.Next(At(1050)), At(1250));
        Assert.Equal(TimeSpan.FromMilliseconds(200), _session.LateAllowance(At(1250)));
    }

    [Fact]
    public void The_late_answer_allowance_is_at_most_twice_the_detection_time()
    {
        _session.Answer(_session.Next(At(0)), At(1));
        _session.Answer(_session.Next(At(50)), At(2050));

        Assert.Equal(TimeSpan.FromMilliseconds(300), _session.LateAllowance(At(2050)));
    }

    [Fact]
    public void In_its_first_seconds_a_site_gets_a_second_of_silence_and_a_slow_answer_then_still_counts()
    {
        var session = new LivenessSession("alpha", Interval, 3, firstSeq: 1);
        session.Answer(session.Next(At(0)), At(30));
        session.Answer(session.Next(At(2_000)), At(2_005));
        Assert.Equal(LivenessSession.StartupAllowance, session.LateAllowance(At(2_000)));

        // 2 s after the first answer the site falls silent for 600 ms (what the lab saw): not even suspected.
        var late = session.Next(At(2_050));
        for (var beat = 2_100; beat <= 2_600; beat += 50)
        {
            session.Next(At(beat));
            Assert.Null(session.Judge(At(beat)));
            Assert.False(session.TakePoll());
        }
        Assert.Null(session.Answer(late, At(2_650)));

        // That 600 ms answer still counts past the window: the site keeps the learned allowance (at its cap, 300 ms).
        Assert.Equal(2 * session.DetectionTime, session.LateAllowance(At(LivenessSession.DefaultStartupWindow.TotalMilliseconds + 30)));

        // A site silent for longer than the window's allowance is still lost: after the allowance, the detection time and the poll.
        var at = 2_700.0;
        LivenessObservation? lost = null;
        for (; lost is null && at < 6_000; at += 50)
        {
            session.Next(At(at));
            lost = session.Judge(At(at));
        }
        Assert.NotNull(lost);
        Assert.False(lost.Alive);
        Assert.InRange(at - 2_650, 1_000, 1_000 + session.DetectionTime.TotalMilliseconds + ((LivenessSession.PollBeats + 1) * Interval.TotalMilliseconds));
    }

    [Fact]
    public void An_answered_poll_clears_the_suspicion()
    {
        _session.Answer(_session.Next(At(0)), At(1));
        for (var i = 1; i <= 3; i++)
            _session.Next(At(i * 50));
        Assert.Null(_session.Judge(At(200)));
        Assert.True(_session.TakePoll());
        var poll = _session.Next(At(200));
        _session.Answer(poll, At(201));

        Assert.Null(_session.Judge(At(250)));
        Assert.False(_session.Lost);
    }

    [Fact]
    public void Silence_without_enough_datagrams_sent_is_not_a_loss()
    {
        _session.Answer(_session.Next(At(0)), At(1));
        _session.Next(At(50));

        Assert.Null(_session.Judge(At(500)));
    }

    [Fact]
    public void A_loss_is_repeated_every_detection_time_and_an_answer_ends_it()
    {
        var seqs = AnsweredOnceThenSilent();
        Assert.Null(_session.Judge(At(160)));
        Assert.Null(_session.Judge(At(210)));
        Assert.NotNull(_session.Judge(At(260)));
        Assert.Null(_session.Judge(At(360)));
        Assert.NotNull(_session.Judge(At(410)));

        var back = _session.Answer(seqs[^1], At(412));

        Assert.True(back!.Alive);
        Assert.Equal("liveness answering again (rtt 12 ms)", back.Detail);
        Assert.False(_session.Lost);
        Assert.Null(_session.Answer(_session.Next(At(450)), At(451)));
    }

    [Fact]
    public void Unknown_repeated_and_malformed_answers_are_dropped_and_counted()
    {
        var seq = _session.Next(At(0));
        _session.Answer(seq, At(1));

        Assert.Null(_session.Answer(seq, At(2)));
        Assert.Null(_session.Answer(seq + 1000, At(3)));
        Assert.Null(_session.Answer(0, At(3)));
        Assert.Null(_session.BadAnswer());

        var status = _session.Status();
        Assert.Equal(4, status.Dropped);
        Assert.Equal(1, status.Answered);
        Assert.Equal("up", status.State);
    }

    [Fact]
    public void Round_trip_times_are_smoothed_and_unanswered_datagrams_counted_as_loss()
    {
        _session.Answer(_session.Next(At(0)), At(8));
        _session.Answer(_session.Next(At(50)), At(50));
        // 128 more, none answered: the first 64 of them have left the window by the end, and count as missed.
        for (var i = 2; i < 2 + (2 * LivenessSession.Outstanding); i++)
            _session.Next(At(i * 50));

        var status = _session.Status();
        Assert.Equal(TimeSpan.FromMilliseconds(7), status.SmoothedRtt);
        Assert.Equal(TimeSpan.Zero, status.LastRtt);
        Assert.Equal(LivenessSession.Outstanding, status.Missed);
        Assert.Equal(130, status.Sent);
        Assert.Equal(64.0 / 130, status.Loss, 6);
    }

    [Fact]
    public void The_datagram_is_twelve_bytes_and_only_an_exact_one_reads()
    {
        var bytes = new byte[LivenessEcho.Size];
        LivenessEcho.Write(0x0102030405060708, bytes);

        Assert.Equal("KWLV"u8.ToArray(), bytes[..4]);
        Assert.True(LivenessEcho.TryRead(bytes, out var seq));
        Assert.Equal(0x0102030405060708UL, seq);
        Assert.False(LivenessEcho.TryRead(bytes.AsSpan(0, 11), out _));
        Assert.False(LivenessEcho.TryRead([.. bytes, 0], out _));
        bytes[0] = (byte)'X';
        Assert.False(LivenessEcho.TryRead(bytes, out _));
    }
}
