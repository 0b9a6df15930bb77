namespace Keepwire.Model;

/// <summary>
/// The hub's per-site liveness stream (<c>liveness:</c> in the config): a tiny sequence-numbered UDP datagram to every
/// agent site's tunnel address every <see cref="Interval"/>, echoed by the site agent. A site that answered before and
/// then leaves <see cref="Multiplier"/> datagrams in a row unanswered for <see cref="DetectionTime"/> is lost: every
/// service it serves leaves it in one pass. BFD's words: the interval is its transmit interval, the multiplier its
/// detect multiplier.
/// </summary>
/// <param name="Enabled">False: no liveness stream; sites are judged by their service checks only.</param>
public sealed record LivenessSettings(bool Enabled, TimeSpan Interval, int Multiplier)
{
    /// <summary>
    /// 40 ms: with the multiplier 3 and the two-beat poll a dead site is lost at most 240 ms after it died, so its
    /// services are on another site within 0.30 s (bench/failover p99: link cut 0.248 s, processes killed 0.239 s;
    /// 50 ms gave 0.309 / 0.304 s on the same quiet machine, more when loaded). It costs 25 datagrams a second each
    /// way per site instead of 20.
    /// </summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(40);
    public const int DefaultMultiplier = 3;

    /// <summary>Shorter intervals cost the hub a wake-up more often than its timers keep (and a site a datagram a few ms).</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Longer intervals would detect a lost site more slowly than the service checks do.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(10);

    public const int MinMultiplier = 2;
    public const int MaxMultiplier = 50;

    public static readonly LivenessSettings Default = new(true, DefaultInterval, DefaultMultiplier);

    /// <summary>How long a site may stay silent before it is lost: interval × multiplier (120 ms by default).</summary>
    public TimeSpan DetectionTime => Interval * Multiplier;
}
