using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Systemd;

/// <summary>
/// Enables and (re)starts a systemd unit with <c>systemctl</c>, where systemd is the init system. Containers,
/// chroots and the lab have none: <see cref="IsAvailable"/> tells, so the caller can start the daemon itself.
/// </summary>
public sealed class SystemdUnits(ICommandRunner runner)
{
    /// <summary>sd_booted(3)'s test: systemd creates this directory when it is the running init.</summary>
    public static bool IsAvailable => Directory.Exists("/run/systemd/system");

    /// <summary>Enables the unit and restarts it (starts it if it was stopped), so it runs with the files just written.</summary>
    public async Task EnableAndRestartAsync(string unit, CancellationToken cancellationToken)
    {
        await runner.RunCheckedAsync("systemctl", ["enable", "--quiet", unit], cancellationToken: cancellationToken);
        await runner.RunCheckedAsync("systemctl", ["restart", unit], cancellationToken: cancellationToken);
    }
}
