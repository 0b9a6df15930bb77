namespace Keepwire.Decisions;

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
/// The defaults aim at failover well under a second. Probes of one check never overlap: the next
/// one starts <see cref="Interval"/> after the previous one started, or as soon as it ends if it
/// took longer. A site that dies just after a probe started is therefore seen by the next probe
/// at most max(interval, timeout) later, and declared down after <see cref="Fall"/> failing probes,
/// the last of which may take the full timeout:
/// <c>detection ≤ fall × max(interval, timeout) + timeout</c> = 2 × 250 ms + 250 ms = 750 ms
/// with the defaults. The decision itself is taken on that result (no extra wait) and the switch
/// is one nftables transaction. On a lossy path, two lost probes in a row already count as a
/// failure: raise <see cref="Fall"/> to 3 (detection 1 s) rather than lengthen the timeout.
/// </remarks>
/// <param name="Name">Unique within the service; appears in reasons ("http check failed 2×: …").</param>
public sealed record CheckDefinition(string Name, CheckKind Kind)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(250);
    public const int DefaultRise = 2;
    public const int DefaultFall = 2;

    /// <summary>Time between the starts of two probes.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>A probe that has not succeeded by then has failed.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

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

    /// <summary>The longest a probe of this check can take to be started again.</summary>
    public TimeSpan ProbePeriod => Interval > Timeout ? Interval : Timeout;

    /// <summary>Worst case from a site's death to this check reporting it unhealthy (see remarks).</summary>
    public TimeSpan DetectionBound => ProbePeriod * Fall + Timeout;

    /// <summary>Worst case from a site's recovery to this check reporting it healthy again.</summary>
    public TimeSpan RecoveryBound => ProbePeriod * Rise + Timeout;

    /// <summary>Every problem with this definition at once, as sentences a user can act on.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
            errors.Add("a check needs a name");
        if (Interval <= TimeSpan.Zero)
            errors.Add($"check {Name}: interval must be positive");
        if (Timeout <= TimeSpan.Zero)
            errors.Add($"check {Name}: timeout must be positive");
        if (Rise < 1)
            errors.Add($"check {Name}: rise must be at least 1");
        if (Fall < 1)
            errors.Add($"check {Name}: fall must be at least 1");
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
        }

        if (Kind == CheckKind.Exec && Command.Count == 0)
            errors.Add($"check {Name}: an exec check needs a command");
        return errors;
    }
}
