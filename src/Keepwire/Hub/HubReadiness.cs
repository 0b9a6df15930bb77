using System.Globalization;
using Keepwire.Adapters.Systemd;
using Keepwire.Engine;

namespace Keepwire.Hub;

/// <summary>
/// The hub loop's word to systemd (<c>Type=notify</c>): READY=1 once the first pass has put the forwarding table
/// in the kernel, a one-line STATUS whenever it changes, and WATCHDOG=1 from the loop itself after each pass, so
/// a pass that hangs (a tool that never returns, a deadlock) stops the pings and systemd restarts the daemon;
/// the data path stays in the kernel meanwhile (<c>KillMode=process</c>). Loop-only, like the engine.
/// </summary>
internal sealed class HubReadiness(SystemdNotifier systemd, TimeProvider time)
{
    private bool _ready;
    private string? _status;
    private DateTimeOffset _lastPing = DateTimeOffset.MinValue;

    /// <summary>Ping at least this often: half the watchdog timeout, as sd_watchdog_enabled(3) advises.</summary>
    private TimeSpan? PingEvery => systemd.WatchdogInterval / 2;

    /// <summary>The loop must wake by then even with nothing to do, to ping the watchdog in time.</summary>
    public DateTimeOffset? NextPing => PingEvery is { } every ? _lastPing + every : null;

    /// <summary>After a pass: the watchdog ping, READY once the table is in, STATUS when it changed.</summary>
    public void PassDone(HubEngine engine, bool tableApplied, string? fault)
    {
        var now = time.GetUtcNow();
        // A quarter of the timeout between pings: passes come many a second, systemd needs only a few.
        if (PingEvery is { } every && now - _lastPing >= every / 2)
        {
            systemd.Watchdog();
            _lastPing = now;
        }
        if (!_ready && !tableApplied)
            return;
        var status = Describe(engine, fault);
        if (!_ready)
        {
            _ready = true;
            systemd.Ready(status);
        }
        else if (status != _status)
        {
            systemd.Status(status);
        }
        _status = status;
    }

    public void Stopping() => systemd.Stopping();

    /// <summary>"2/2 services served (web: alpha, echo: alpha)", the first few named; the fault, if any, first.</summary>
    internal static string Describe(HubEngine engine, string? fault)
    {
        const int Named = 4;
        var services = engine.Services.Select(s => s.Current).ToList();
        var served = services.Count(s => s.ServingSite is not null);
        var named = string.Join(", ", services.Take(Named).Select(s => $"{s.Service}: {s.ServingSite ?? "none"}"));
        var more = services.Count > Named ? ", …" : "";
        var line = string.Create(CultureInfo.InvariantCulture, $"{served}/{services.Count} services served ({named}{more})");
        return fault is null ? line : $"cannot forward: {fault}; {line}";
    }
}
