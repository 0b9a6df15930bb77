using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Keeps one keepalived (VRRP only) running with the configuration Keepwire renders. Level-triggered: the
/// hub daemon calls <see cref="EnsureRunningAsync"/> at start-up, on every config reload and periodically;
/// each call looks at what is there and does the least that makes it right.
/// keepalived runs detached (it daemonizes, pid file in <see cref="KeepalivedPaths"/>), not as a child
/// tied to the daemon's lifetime: a restarted daemon adopts the running keepalived instead of restarting
/// it, because a keepalived restart on the active hub moves the VIPs.
/// </summary>
public sealed partial class KeepalivedSupervisor(
    ICommandRunner runner, KeepalivedPaths paths, IProcessTable processes, ILogger logger, TimeProvider? time = null)
{
    private const string Keepalived = "keepalived";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The keepalived this supervisor last saw running; another pid (or none) means it was replaced or died.</summary>
    private int? _seenPid;

    public KeepalivedPaths Paths => paths;

    /// <summary>
    /// Writes the configuration if it changed (checked with <c>keepalived -t</c> first, then renamed into
    /// place with mode 0600), then: adopts a running keepalived, reloads it (SIGHUP) when the configuration
    /// changed, or starts it when it is not running.
    /// </summary>
    /// <exception cref="KeepalivedException">Invalid settings, a configuration keepalived rejects, or a start that failed.</exception>
    public async Task<KeepalivedRunState> EnsureRunningAsync(KeepalivedSettings settings, CancellationToken cancellationToken = default)
    {
        var configChanged = await InstallConfigAsync(KeepalivedConfigRenderer.Render(settings), cancellationToken);
        // keepalived watches the track file through its directory (inotify); a directory that does not exist
        // when it loads the configuration is never watched, and the daemon's verdicts would go unheard.
        var trackDirectory = Path.GetDirectoryName(settings.TrackFile)!;
        if (!Directory.Exists(trackDirectory))
            Directory.CreateDirectory(trackDirectory, AtomicTextFile.OwnerOnlyDirectory);
        if (RunningPid() is { } pid)
        {
            var adopted = _seenPid != pid;
            _seenPid = pid;
            if (configChanged)
            {
                Log.Reloaded(logger, paths.ConfigFile, pid);
                await SignalAsync(pid, "HUP", cancellationToken);
                return new(KeepalivedOutcome.Reloaded, pid);
            }
            if (adopted)
                Log.Adopted(logger, pid);
            return new(adopted ? KeepalivedOutcome.Adopted : KeepalivedOutcome.Unchanged, pid);
        }

        var diedSinceSeen = _seenPid is not null || File.Exists(paths.PidFile);
        var started = await StartAsync(cancellationToken);
        _seenPid = started;
        if (diedSinceSeen)
            Log.Restarted(logger, started, paths.ConfigFile);
        else
            Log.Started(logger, started, paths.ConfigFile);
        return new(diedSinceSeen ? KeepalivedOutcome.Restarted : KeepalivedOutcome.Started, started);
    }

    /// <summary>
    /// Installs <paramref name="config"/> unless the file already holds it. The candidate goes through
    /// <c>keepalived -t</c> first: a reload with a broken file could stop keepalived, and with it the VIPs.
    /// Returns whether the file changed.
    /// </summary>
    private async Task<bool> InstallConfigAsync(string config, CancellationToken cancellationToken)
    {
        if (AtomicTextFile.ReadOrNull(paths.ConfigFile) == config)
            return false;
        await AtomicTextFile.WriteAsync(paths.CandidateConfigFile, config, AtomicTextFile.OwnerOnly, cancellationToken);
        var check = await runner.RunAsync(Keepalived, ["--config-test", $"--use-file={paths.CandidateConfigFile}"], cancellationToken: cancellationToken);
        if (!check.Succeeded)
        {
            var problems = (check.StandardError + check.StandardOutput).Trim();
            throw new KeepalivedException(KeepalivedFailure.ConfigRejected,
                $"keepalived rejected the configuration Keepwire rendered ({paths.CandidateConfigFile}, left for inspection; " +
                $"the running keepalived keeps its old one): {problems}");
        }
        File.Move(paths.CandidateConfigFile, paths.ConfigFile, overwrite: true);
        return true;
    }
}
