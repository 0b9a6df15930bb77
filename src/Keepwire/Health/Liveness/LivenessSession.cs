using System.Globalization;
using Keepwire.Engine;

namespace Keepwire.Health.Liveness;

/// <summary>
/// One site's liveness exchange as the hub counts it, BFD-like: a sequence-numbered datagram every interval, an
/// answer echoes the number. The site is suspected when it answered before and has now left <c>multiplier</c>
/// datagrams in a row unanswered for the detection time (interval × multiplier), polled at once, and lost when the
/// poll is not answered within <see cref="PollBeats"/> beats (like BFD's poll sequence); the first good answer makes it alive again. Answers prove only that the site's tunnel address answers through its WireGuard peer; they carry
/// no state. Pure: time comes in as arguments, the monitor (<see cref="SiteLivenessMonitor"/>) does the I/O.
/// A site that never answered is not judged (an agent older than the hub, a firewall that drops the port): its
/// service checks alone decide, as before.
/// </summary>
/// <param name="firstSeq">The first sequence number; random by default, so one site's numbers are no other's (and none can be guessed).</param>
/// <param name="startupWindow">How long after the first answer <see cref="StartupAllowance"/> applies; <see cref="DefaultStartupWindow"/> when null.</param>
/// <param name="upAlready">
/// The site was up in the session this one replaces (a reload): it counts as having answered just before the first
/// datagram, so it is judged from the first beat on. Otherwise a site cut right after a reload would never have answered
/// this session, and silence would not be judged at all.
/// </param>
public sealed class LivenessSession(string site, TimeSpan interval, int multiplier, ulong? firstSeq = null, TimeSpan? startupWindow = null, bool upAlready = false)
{
    /// <summary>
    /// BFD starts a session slowly and only then goes to its fast timers. Here the first seconds after a site first
    /// answers are when its answers are least punctual: the agent, its wireguard-go and (in a lab, or after a reboot)
    /// every neighbour start at once. The lab saw a site that had answered within 30 ms fall silent for 618 ms 2.6 s
    /// later and move both its services for the 5 s until it was preferred again.
    /// </summary>
    public static readonly TimeSpan DefaultStartupWindow = TimeSpan.FromSeconds(10);

    /// <summary>The late-answer allowance while in the startup window: a site failing in its first seconds is found this much later.</summary>
    public static readonly TimeSpan StartupAllowance = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _startupWindow = startupWindow ?? DefaultStartupWindow;

    /// <summary>
    /// Datagrams sent at once to a suspected site before it is called lost. Five: a poll is rare (a suspicion), and
    /// under a burst of 20 % loss per packet (bench/false-failover) an exchange fails with p ≈ 0.36, so five of them
    /// failing with the beats after (p ≈ 0.36⁷ ≈ 8·10⁻⁴ per suspicion) is about eight times rarer than three (0.36⁵).
    /// </summary>
    public const int PollDatagrams = 5;

    /// <summary>
    /// Beats a suspected site has to answer the poll. Two, not BFD's one: on a loaded 2-core hub a site's answers stall
    /// for up to about 250 ms now and then (wireguard-go and the agent not scheduled), and bench/false-failover saw a
    /// loss judged 9 ms before such a site answered, which moved its services for nothing. One more beat of silence
    /// tolerated costs one interval of detection.
    /// </summary>
    public const int PollBeats = 2;

    /// <summary>
    /// How fast a site's late-answer allowance (<see cref="LateAllowance"/>) fades: halved every this long without a
    /// round trip as slow.
    /// </summary>
    public static readonly TimeSpan LatePeakHalfLife = TimeSpan.FromSeconds(30);

    /// <summary>Datagrams remembered for matching answers; older answers are dropped as unknown.</summary>
    public const int Outstanding = 64;

    private readonly (ulong Seq, DateTimeOffset SentAt, bool Answered)[] _sent = new (ulong, DateTimeOffset, bool)[Outstanding];
    private ulong _nextSeq = firstSeq ?? (ulong)Random.Shared.NextInt64(1, long.MaxValue);
    private DateTimeOffset? _lastAnswerAt;
    private ulong _lastAnsweredSeq;
    private DateTimeOffset? _lostReportedAt;
    private DateTimeOffset? _suspectedAt;
    private bool _pollDue;
    private TimeSpan? _smoothedRtt;
    private TimeSpan _peakRtt;
    private DateTimeOffset _peakAt;
    private DateTimeOffset? _upSince;
    private DateTimeOffset? _firstAnswerAt;

    public string Site { get; } = site;

    public TimeSpan DetectionTime => interval * multiplier;

    public bool Lost { get; private set; }

    public long Sent { get; private set; }

    public long Answered { get; private set; }

    /// <summary>Answers dropped: wrong length or magic, a number never sent or no longer remembered, or answered twice.</summary>
    public long Dropped { get; private set; }

    /// <summary>Datagrams never answered, counted once they leave the last <see cref="Outstanding"/> sent (after the site first answered).</summary>
    public long Missed { get; private set; }

    /// <summary>Datagrams that could not be sent (the socket's buffer full, no route).</summary>
    public long SendFailures { get; private set; }

    public TimeSpan? LastRtt { get; private set; }

    /// <summary>The round-trip time smoothed as TCP does (7/8 old, 1/8 new).</summary>
    public TimeSpan? SmoothedRtt => _smoothedRtt;

    /// <summary>Registers the next datagram sent at <paramref name="now"/>; returns its sequence number.</summary>
    public ulong Next(DateTimeOffset now)
    {
        var seq = _nextSeq++;
        if (upAlready && _firstAnswerAt is null)
        {
            (_firstAnswerAt, _lastAnswerAt, _upSince) = (now, now, now);
            _lastAnsweredSeq = seq - 1;
        }
        var slot = (int)(seq % Outstanding);
        if (_sent[slot].Seq != 0 && !_sent[slot].Answered && _lastAnswerAt is not null)
            Missed++;
        _sent[slot] = (seq, now, false);
        Sent++;
        return seq;
    }

    /// <summary>The datagram just registered could not be sent.</summary>
    public void SendFailed() => SendFailures++;

    /// <summary>An answer from the site that is no liveness datagram (wrong length or magic): dropped and counted.</summary>
    public LivenessObservation? BadAnswer()
    {
        Dropped++;
        return null;
    }

    /// <summary>Counts an answer; returns a regain when it ends a loss or is the session's first. Unknown or repeated numbers are dropped.</summary>
    public LivenessObservation? Answer(ulong seq, DateTimeOffset now)
    {
        var slot = (int)(seq % Outstanding);
        if (seq == 0 || _sent[slot].Seq != seq || _sent[slot].Answered)
        {
            Dropped++;
            return null;
        }
        _sent[slot].Answered = true;
        Answered++;
        var rtt = now - _sent[slot].SentAt;
        if (rtt < TimeSpan.Zero)
            rtt = TimeSpan.Zero;
        LastRtt = rtt;
        // Only datagrams sent while the site was up count: the first ones wait for the tunnel's handshake (seconds), and
        // those sent before a loss ended were queued behind the outage (their answers trail the one that ended it);
        // neither says how late this site answers. bench/failover saw the queued ones keep the allowance at its cap.
        var sentWhileUp = _upSince is { } up && _sent[slot].SentAt >= up;
        if (sentWhileUp && !Lost && rtt >= LearnedAllowance(now))
            (_peakRtt, _peakAt) = (rtt, now);
        _smoothedRtt = _smoothedRtt is { } smoothed ? smoothed + ((rtt - smoothed) / 8) : rtt;
        if (seq > _lastAnsweredSeq)
            _lastAnsweredSeq = seq;
        var first = _lastAnswerAt is null;
        _firstAnswerAt ??= now;
        _lastAnswerAt = now;
        if (!Lost && !first)
            return null;
        _suspectedAt = null;
        _pollDue = false;
        // The first answer is told too: a site the engine still counts lost from before a reload (a new session) comes back by it.
        Lost = false;
        _lostReportedAt = null;
        _upSince = now;
        return new LivenessObservation(Site, now, Alive: true, $"liveness answering{(first ? "" : " again")} (rtt {Milliseconds(rtt)})", DetectionTime);
    }

    /// <summary>
    /// Judges the site at <paramref name="now"/>. A site that answered before, has not answered for the detection time
    /// and left at least <c>multiplier</c> datagrams since its last answer unanswered is first suspected: the monitor
    /// polls it at once (<see cref="TakePoll"/>: <see cref="PollDatagrams"/> more datagrams). Still silent
    /// <see cref="PollBeats"/> beats later, it is lost; that loss is repeated every detection time while it lasts. Null otherwise.
    /// </summary>
    /// <remarks>
    /// Why the poll: under 5 % random loss per packet an exchange (two packets) fails with p ≈ 0.0975, three in a row
    /// with ≈ 9·10⁻⁴, which at 25 beats a second is about one false suspicion a minute per site. The poll's datagrams
    /// and the next beats' must all fail too (p ≈ 0.0975⁷ ≈ 8·10⁻⁸ more): a false loss from loss alone is then rarer
    /// than once a year per site, for two more intervals of detection time.
    /// </remarks>
    public LivenessObservation? Judge(DateTimeOffset now)
    {
        if (_lastAnswerAt is not { } last)
            return null;
        var silent = now - last;
        var unanswered = (long)(_nextSeq - 1 - _lastAnsweredSeq);
        if (silent < DetectionTime + LateAllowance(now) || unanswered < multiplier)
        {
            _suspectedAt = null;
            return null;
        }
        if (_suspectedAt is not { } suspected)
        {
            _suspectedAt = now;
            _pollDue = true;
            return null;
        }
        // The poll has PollBeats beats to be answered. Less half an interval: a periodic timer fires a little early as
        // often as late, and a beat 49.9 ms after the last must not wait for one more (bench/failover saw a third of the
        // losses judged a beat late so).
        if (now - suspected < (PollBeats * interval) - (interval / 2))
            return null;
        if (Lost && _lostReportedAt is { } reported && now - reported < DetectionTime)
            return null;
        Lost = true;
        _lostReportedAt = now;
        return new LivenessObservation(Site, now, Alive: false, $"liveness lost for {Milliseconds(silent)} ({Math.Min(unanswered - PollDatagrams, multiplier)} of {multiplier} missed, then a poll)", DetectionTime);
    }

    /// <summary>
    /// Silence allowed beyond the detection time, because this site has answered that late recently: its slowest round
    /// trip, halved every <see cref="LatePeakHalfLife"/> since. Like TCP's retransmission timeout, which grows with the
    /// variance it has seen: a site whose host or wireguard-go stalls now and then (a loaded machine: bench/false-failover
    /// saw answers 360–390 ms late, each judged a loss by the fixed 300 ms) gets that much more silence before it is
    /// suspected, while a site that answers promptly keeps the plain detection time. A dead site sends no answers to
    /// raise it. Only answers of a site that was up count (not the handshake's wait before the first, not a loss's
    /// queue), and it is at most twice the detection time, except in the session's startup window
    /// (<see cref="StartupAllowance"/>).
    /// </summary>
    public TimeSpan LateAllowance(DateTimeOffset now)
    {
        var learned = LearnedAllowance(now);
        return _firstAnswerAt is { } firstAnswer && now - firstAnswer < _startupWindow && learned < StartupAllowance ? StartupAllowance : learned;
    }

    /// <summary>The allowance learned from this site's slowest recent answer (what <see cref="LateAllowance"/> is past the startup window).</summary>
    private TimeSpan LearnedAllowance(DateTimeOffset now)
    {
        if (_peakRtt <= TimeSpan.Zero)
            return TimeSpan.Zero;
        var halvings = Math.Max(0, (now - _peakAt) / LatePeakHalfLife);
        var allowance = _peakRtt * Math.Pow(0.5, halvings);
        // Beyond twice the detection time the service checks would see the silence first anyway.
        var cap = 2 * DetectionTime;
        return allowance < cap ? allowance : cap;
    }

    /// <summary>True once after the site became suspect: send it <see cref="PollDatagrams"/> datagrams now.</summary>
    public bool TakePoll()
    {
        var due = _pollDue;
        _pollDue = false;
        return due;
    }

    /// <summary>What status shows.</summary>
    public LivenessStatus Status() => new(Site, _lastAnswerAt is null ? "waiting" : Lost ? "lost" : "up", SmoothedRtt, LastRtt, Sent, Answered, Missed, Dropped, SendFailures, _lastAnswerAt);

    private static string Milliseconds(TimeSpan span) =>
        span.TotalMilliseconds.ToString(span.TotalMilliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>One site's liveness for status and metrics.</summary>
/// <param name="State">"waiting" (never answered: not judged), "up" or "lost".</param>
public sealed record LivenessStatus(
    string Site,
    string State,
    TimeSpan? SmoothedRtt,
    TimeSpan? LastRtt,
    long Sent,
    long Answered,
    long Missed,
    long Dropped,
    long SendFailures,
    DateTimeOffset? LastAnswerAt)
{
    /// <summary>The share of datagrams sent that were never answered, 0 to 1.</summary>
    public double Loss => Sent == 0 ? 0 : (double)Missed / Sent;
}
