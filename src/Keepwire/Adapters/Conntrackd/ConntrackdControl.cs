using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.Conntrackd;

/// <summary>
/// Runs conntrackd for a hub pair and tells it about role changes, following the sequence of conntrackd's
/// own primary-backup.sh (shipped for keepalived's notify scripts), but driven by Keepwire's level-triggered
/// view of the role instead of by notify scripts.
/// </summary>
public sealed class ConntrackdControl(ICommandRunner runner, ConntrackdPaths paths, ILogger logger)
{
    private const string Conntrackd = "conntrackd";

    /// <summary>
    /// Writes the configuration and makes sure conntrackd runs with it. conntrackd has no reload: a changed
    /// configuration means a restart (rare: only when addresses change), which drops the synced cache.
    /// A running conntrackd with an unchanged configuration is left alone.
    /// </summary>
    public async Task<ConntrackdOutcome> EnsureRunningAsync(ConntrackdSettings settings, CancellationToken cancellationToken = default)
    {
        var config = ConntrackdConfigRenderer.Render(settings, paths);
        var changed = AtomicTextFile.ReadOrNull(paths.ConfigFile) != config;
        if (changed)
            await AtomicTextFile.WriteAsync(paths.ConfigFile, config, AtomicTextFile.OwnerOnly, cancellationToken);
        var running = await IsRunningAsync(cancellationToken);
        if (running && !changed)
            return ConntrackdOutcome.Unchanged;
        if (running)
            await ControlAsync("-k", cancellationToken);
        // A crashed conntrackd leaves its lock file, and refuses to start while it is there.
        File.Delete(paths.LockFile);
        await runner.RunCheckedAsync(Conntrackd, ["-C", paths.ConfigFile, "-d"], cancellationToken: cancellationToken);
        Log.Started(logger, paths.ConfigFile);
        return running ? ConntrackdOutcome.Restarted : ConntrackdOutcome.Started;
    }

    /// <summary>conntrackd answers on its control socket (<c>-s</c>, statistics).</summary>
    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default) =>
        File.Exists(paths.ConfigFile)
        && (await runner.RunAsync(Conntrackd, ["-C", paths.ConfigFile, "-s"], cancellationToken: cancellationToken)).Succeeded;

    /// <summary>
    /// This hub now holds the VIPs: put the flows the other hub synced into the kernel (commit the external
    /// cache), start over from the kernel's table (flush both caches, resync the internal one) and send it
    /// all to the other hub (bulk), which is now the standby.
    /// </summary>
    public Task<IReadOnlyList<string>> BecomeActiveAsync(CancellationToken cancellationToken = default) =>
        RunStepsAsync(["-c", "-f", "-R", "-B"], cancellationToken);

    /// <summary>
    /// This hub no longer holds the VIPs: let the flows it had expire soon (its kernel table would otherwise
    /// hold stale entries if it becomes active again later), and ask the active hub for a full resync.
    /// </summary>
    public Task<IReadOnlyList<string>> BecomeStandbyAsync(CancellationToken cancellationToken = default) =>
        RunStepsAsync(["-t", "-n"], cancellationToken);

    /// <summary>Stops conntrackd (it removes its lock file and socket) and removes the configuration.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (await IsRunningAsync(cancellationToken))
            await ControlAsync("-k", cancellationToken);
        File.Delete(paths.ConfigFile);
    }

    /// <summary>
    /// Runs every step even when one fails, as primary-backup.sh does: a failed commit should not also
    /// skip the resync. Returns the failures, each as the command and its error, empty when all worked.
    /// </summary>
    private async Task<IReadOnlyList<string>> RunStepsAsync(IReadOnlyList<string> options, CancellationToken cancellationToken)
    {
        List<string> failures = [];
        foreach (var option in options)
        {
            var result = await runner.RunAsync(Conntrackd, ["-C", paths.ConfigFile, option], cancellationToken: cancellationToken);
            if (result.Succeeded)
                continue;
            var failure = $"{result.CommandLine}: {(result.StandardError + result.StandardOutput).Trim()}";
            Log.StepFailed(logger, failure);
            failures.Add(failure);
        }
        return failures;
    }

    private Task ControlAsync(string option, CancellationToken cancellationToken) =>
        runner.RunCheckedAsync(Conntrackd, ["-C", paths.ConfigFile, option], cancellationToken: cancellationToken);
}

/// <summary>What <see cref="ConntrackdControl.EnsureRunningAsync"/> had to do.</summary>
public enum ConntrackdOutcome
{
    Unchanged,
    Started,

    /// <summary>The configuration changed and conntrackd was restarted with it.</summary>
    Restarted,
}
