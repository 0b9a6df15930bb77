using System.Globalization;
using Keepwire.Configuration.Parsing;
using Keepwire.Model;

namespace Keepwire.Hub;

/// <summary>
/// Something an operator wants to hear about, derived from what the hub's loop already decided (a step's
/// switches, the health the engine tracks, the pair role) or refused (a reload): the notifications and the
/// dashboard's timeline carry it. Never a second source of truth: it says what happened, the engine decides.
/// </summary>
/// <param name="Summary">One line for a human: "web: alpha → bravo, failover in 0.84 s (alpha: http check failed 4×: connection refused)".</param>
public sealed record HubEvent(HubEventKind Kind, DateTimeOffset Time, string Hub, string Summary)
{
    public string? Service { get; init; }

    /// <summary>The site a switch left (null: none served).</summary>
    public string? From { get; init; }

    /// <summary>The site a switch went to (null: none serves now).</summary>
    public string? To { get; init; }

    /// <summary>A switch's reason as <c>keepwire events</c> names it (failover, preempted, pinned, …).</summary>
    public string? Reason { get; init; }

    /// <summary>A switch that let open connections finish at the old site (operator move, preemption).</summary>
    public bool? Planned { get; init; }

    /// <summary>Why, in words.</summary>
    public string? Detail { get; init; }

    /// <summary>A failover's time from the first failed evidence about the site it left to the kernel's forwarding table pointing at the new one; null when not measured.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The site of a site_down or site_up event.</summary>
    public string? Site { get; init; }

    /// <summary>This hub's role in its pair after a role_changed event: "decide" or "follow".</summary>
    public string? Role { get; init; }

    /// <summary>The name used in configs, payloads and environment variables: switch, site_down, …</summary>
    public string KindName => NotifyReader.EventNames.First(e => e.Value == Kind).Key;

    /// <summary>The duration in milliseconds as payloads carry it, or null.</summary>
    public double? DurationMilliseconds => Duration is { } d ? Math.Round(d.TotalMilliseconds, 1) : null;

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
