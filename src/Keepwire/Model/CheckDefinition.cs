namespace Keepwire.Model;

/// <summary>What a health check talks to the site with.</summary>
public enum CheckKind
{
    /// <summary>An HTTP request; healthy when the status is in range and the body matches.</summary>
    Http,

    /// <summary>A TCP connect; healthy when the handshake completes.</summary>
    Tcp,

    /// <summary>A UDP datagram; healthy when a reply arrives (and matches).</summary>
    Udp,

    /// <summary>A program run on the hub; healthy when it exits 0.</summary>
    Exec,
}

/// <summary>
/// One health check of a service, run from the hub against every site's tunnel address.
/// Pure data: the decision core reads <see cref="Rise"/> and <see cref="Fall"/>, the probes in
/// <c>Keepwire.Health</c> read the rest.
/// </summary>
/// <remarks>
/// The defaults aim at failover well under a second that 5% packet loss does not trigger, at a probe rate an idle
/// hub hardly notices. A healthy site is probed every <see cref="Interval"/> (1 s); from a failed probe until
/// <see cref="Rise"/> pass in a row, and when a refusal makes the site suspect, every <see cref="FastInterval"/>
/// (100 ms), as HAProxy's <c>inter</c> and <c>fastinter</c>. A dead site or a cut link is caught faster by the
/// site liveness stream, a stopped web server by the refusals the hub reads; the checks are what catches a server
/// that answers wrongly or not at all. Probes of one check overlap: one starts on every beat whether or not the
/// earlier ones have finished, and their results are reported in the order the probes started (a late success from
/// before a death cannot interrupt the failures after it). A site that fails at D is probed by a probe started at
/// most one interval later, which fails at most <see cref="Timeout"/> after its start; the stream then probes at
/// once and every fast interval, and <see cref="Fall"/> − 1 more failures follow:
/// <c>detection ≤ interval + timeout + (fall − 2) × fast_interval + timeout</c> = 1 s + 250 ms + 200 ms + 250 ms =
/// 1.7 s with the defaults (see <see cref="DetectionBound"/>). Each probe makes <see cref="Attempts"/> attempts
/// and fails only if all do: under 5% loss per packet an HTTP attempt (5 packets) fails with p ≈ 1 − 0.95⁵ ≈ 0.23,
/// a probe with p ≈ 0.23² ≈ 0.053, four in a row with ≈ 8·10⁻⁶: at one probe a second, where every run of
/// failures starts (the fast probes only run after a failure), one false failover in about 35 hours per check and site.
/// </remarks>
public sealed record CheckDefinition(string Name, CheckKind Kind)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultFastInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);
    public const int DefaultAttempts = 2;
    public const int MaxAttempts = 8;
    public const int DefaultRise = 3;
    public const int DefaultFall = 4;

    private readonly int attempts = DefaultAttempts;
    private readonly TimeSpan? fastInterval;

    /// <summary>Time between the starts of two probes of a healthy site; probes overlap when <see cref="Timeout"/> is longer.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>
    /// Time between the starts of two probes while a site's verdict is in question: from a failed probe until
    /// <see cref="Rise"/> pass in a row, and when a refusal made it suspect. Unless set, the shorter of
    /// <see cref="Interval"/> and <see cref="DefaultFastInterval"/>, so a check with a short interval keeps it throughout.
    /// </summary>
    public TimeSpan FastInterval
    {
        get => fastInterval ?? (Interval < DefaultFastInterval ? Interval : DefaultFastInterval);
        init => fastInterval = value;
    }

    /// <summary>A probe that has not succeeded by then has failed.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// Attempts one probe makes in parallel (fresh connections, or sockets for UDP); the probe
    /// succeeds if any of them does, so one lost packet does not fail it. Always 1 for exec: a
    /// program is not a packet that can be lost, and running it twice doubles its load on the site.
    /// </summary>
    public int Attempts
    {
        get => Kind == CheckKind.Exec ? 1 : attempts;
        init => attempts = value;
    }

    /// <summary>Consecutive successes that make a failed (or new) check healthy.</summary>
    public int Rise { get; init; } = DefaultRise;

    /// <summary>Consecutive failures that make a healthy (or new) check unhealthy.</summary>
    public int Fall { get; init; } = DefaultFall;

    /// <summary>Port on the site's tunnel address. Required for TCP and UDP; HTTP defaults to 80; exec ignores it.</summary>
    public int? Port { get; init; }

    /// <summary>HTTP: request path.</summary>
    public string Path { get; init; } = "/";

    /// <summary>HTTP: the Host header; null sends the site's address.</summary>
    public string? Host { get; init; }

    /// <summary>HTTP: lowest healthy status, inclusive.</summary>
    public int StatusMin { get; init; } = 200;

    /// <summary>HTTP: highest healthy status, inclusive.</summary>
    public int StatusMax { get; init; } = 399;

    /// <summary>HTTP: the body must contain this text (ordinal); null skips reading the body.</summary>
    public string? BodyContains { get; init; }

    /// <summary>UDP: the datagram to send (UTF-8).</summary>
    public string UdpPayload { get; init; } = "keepwire";

    /// <summary>UDP: the reply must contain this text; null accepts any reply.</summary>
    public string? UdpExpect { get; init; }

    /// <summary>Exec: program and arguments. The site's address is appended as the last argument and set in KEEPWIRE_SITE_ADDRESS.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>What the check probes at a site's tunnel address (HTTP on port 80 unless told); null for exec, which probes from the hub.</summary>
    public (TransportProtocol Protocol, int Port)? SitePort => Kind switch
    {
        CheckKind.Exec => null,
        CheckKind.Udp => Port is { } udp ? (TransportProtocol.Udp, udp) : null,
        _ => Port is { } tcp ? (TransportProtocol.Tcp, tcp) : Kind == CheckKind.Http ? (TransportProtocol.Tcp, Decisions.ProbeSpec.DefaultHttpPort) : null,
    };

    /// <summary>
    /// Probes of one site that can be unreported at once when every probe ends within its timeout:
    /// ceil(timeout / fast interval), plus one of slack for a late timer. The scheduler skips a beat at
    /// this many, so a probe that overruns its timeout cannot pile up sockets or processes.
    /// </summary>
    public int MaxProbesInFlight => FastInterval > TimeSpan.Zero ? (int)Math.Ceiling(Timeout / FastInterval) + 1 : 1;

    /// <summary>
    /// Worst case from a site's failure to this check reporting it unhealthy (see remarks): the first probe after
    /// it starts within one interval and fails within its timeout; then a probe starts at once and every fast
    /// interval, and the last of the <see cref="Fall"/> reports within its timeout. Never more than
    /// <c>fall × interval + timeout</c>, the bound without the fast beats (which only ever start probes sooner).
    /// </summary>
    public TimeSpan DetectionBound => SettleBound(Fall);

    /// <summary>Worst case to <paramref name="results"/> results in a row after a change, with the fast beats after the first.</summary>
    private TimeSpan SettleBound(int results)
    {
        var evenly = (Interval * results) + Timeout;
        // One pace: a failure does not start a probe at once (ProbeCadence), the beats stay even.
        if (results <= 1 || FastInterval >= Interval)
            return evenly;
        var hastened = Interval + Timeout + (FastInterval * (results - 2)) + Timeout;
        return hastened < evenly ? hastened : evenly;
    }

    /// <summary>
    /// A check with no result for this long has a stale verdict: its probes are not running (or not reporting),
    /// so whatever it said last is no evidence any more, and the site counts as unhealthy for it. Three times what
    /// <see cref="Fall"/> probes take at the steady pace (<c>fall × interval + timeout</c>), and at least
    /// <see cref="MinimumStaleAfter"/>: a probe reports at least every interval plus timeout, so only probes that
    /// stopped, not a slow site nor a short stall of the hub, leave a check silent that long.
    /// </summary>
    public TimeSpan StaleAfter => SteadyStale > MinimumStaleAfter ? SteadyStale : MinimumStaleAfter;

    private TimeSpan SteadyStale => ((Interval * Fall) + Timeout) * 3;

    public static readonly TimeSpan MinimumStaleAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Worst case from a failed site's recovery to this check reporting it healthy again: a failing site is probed
    /// every fast interval, so <c>rise × fast_interval + timeout</c>.
    /// </summary>
    public TimeSpan RecoveryBound => (FastInterval * Rise) + Timeout;

    /// <summary>Every problem with this definition at once, as sentences a user can act on.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
            errors.Add("a check needs a name");
        if (Interval <= TimeSpan.Zero)
            errors.Add($"check {Name}: interval must be positive");
        if (fastInterval is { } fast && fast <= TimeSpan.Zero)
            errors.Add($"check {Name}: fast_interval must be positive");
        else if (FastInterval > Interval && Interval > TimeSpan.Zero)
            errors.Add($"check {Name}: fast_interval must not be longer than interval (it is the pace while a site is in question)");
        if (Timeout <= TimeSpan.Zero)
            errors.Add($"check {Name}: timeout must be positive");
        if (Rise < 1)
            errors.Add($"check {Name}: rise must be at least 1");
        if (Fall < 1)
            errors.Add($"check {Name}: fall must be at least 1");
        if (Attempts < 1 || Attempts > MaxAttempts)
            errors.Add($"check {Name}: attempts must be between 1 and {MaxAttempts}");
        if (Port is { } port && (port < 1 || port > 65535))
            errors.Add($"check {Name}: port {port} is not between 1 and 65535");
        if (Port is null && Kind is CheckKind.Tcp or CheckKind.Udp)
            errors.Add($"check {Name}: a {Kind.ToString().ToLowerInvariant()} check needs a port");
        if (Kind == CheckKind.Http)
        {
            if (!Path.StartsWith('/'))
                errors.Add($"check {Name}: path must start with '/'");
            if (StatusMin < 100 || StatusMax > 599 || StatusMin > StatusMax)
                errors.Add($"check {Name}: status range {StatusMin}-{StatusMax} is not within 100-599");
            // The host goes into the request as written: a space or line break would break (or inject) headers.
            if (Host is { } host && (host.Length == 0 || host.Any(c => c <= ' ' || c >= '\x7f')))
                errors.Add($"check {Name}: host must be a host name or address (printable ASCII, no spaces)");
        }

        if (Kind == CheckKind.Exec && Command.Count == 0)
            errors.Add($"check {Name}: an exec check needs a command");
        return errors;
    }
}
