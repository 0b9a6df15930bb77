using Keepwire.Security;

namespace Keepwire.Reports;

/// <summary>
/// Admits each site's authentic reports once and in order (<see cref="ReplayWindow"/> per site): a replayed
/// report, or one held back for longer than <see cref="Freshness"/>, is refused. Sites' clocks must be
/// within <see cref="Freshness"/> of the hub's (NTP); a site whose clock is off loses only its own reports,
/// which the hub then does without, as it does for a site without the agent. Not thread-safe.
/// </summary>
public sealed class SiteReportGuard(TimeProvider time)
{
    /// <summary>How far a report's sent-at may be from the hub's clock, either way.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(2);

    private readonly Dictionary<string, ReplayWindow> _windows = [];

    /// <summary>Null when admitted; otherwise why not.</summary>
    public SiteReportRejection? Admit(SiteReport report)
    {
        if (!_windows.TryGetValue(report.Site, out var window))
            _windows[report.Site] = window = new ReplayWindow(Freshness, time);
        return window.Admit(report.BootId, report.Sequence, report.SentAt) switch
        {
            ReplayVerdict.Admitted => null,
            ReplayVerdict.Stale => SiteReportRejection.Stale,
            _ => SiteReportRejection.Replayed,
        };
    }
}
