using System.Globalization;

namespace Keepwire.Adapters.Keepalived;

/// <summary>Starting, finding, signalling and stopping the keepalived process.</summary>
public sealed partial class KeepalivedSupervisor
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(10);

    /// <summary>keepalived waits up to 5 s (child_wait_time) for its VRRP child to resign and remove the VIPs.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(8);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The pid of the running keepalived started from this directory's configuration, or null. A pid file
    /// whose process is gone, a zombie, or another program (the pid was reused) does not count.
    /// </summary>
    public int? RunningPid()
    {
        var pid = ReadPidFile(paths.PidFile);
        if (pid is null || processes.CommandLine(pid.Value) is not { } commandLine)
            return null;
        var isOurs = commandLine.Count > 0
            && Path.GetFileName(commandLine[0]) == Keepalived
            && commandLine.Any(argument => argument.EndsWith(paths.ConfigFile, StringComparison.Ordinal));
        return isOurs ? pid : null;
    }

    /// <summary>
    /// Stops keepalived (SIGTERM: it removes the VIPs and sends a priority-0 advert, so the peer takes over at
    /// once), kills it if it does not exit, and removes its files. Returns false when it was not running.
    /// </summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken = default)
    {
        var stopped = false;
        if (RunningPid() is { } pid)
        {
            await SignalAsync(pid, "TERM", cancellationToken);
            if (!await WaitForExitAsync(pid, StopGrace, cancellationToken))
            {
                Log.Killing(logger, pid, StopGrace);
                await SignalAsync(pid, "KILL", cancellationToken);
                if (!await WaitForExitAsync(pid, StartWait, cancellationToken))
                    throw new KeepalivedException(KeepalivedFailure.StopFailed, $"keepalived (pid {pid}) did not exit after SIGKILL");
            }
            Log.Stopped(logger, pid);
            stopped = true;
        }
        _seenPid = null;
        foreach (var file in paths.PidFiles.Append(paths.ConfigFile).Append(paths.CandidateConfigFile))
            File.Delete(file);
        return stopped;
    }

    private async Task<int> StartAsync(CancellationToken cancellationToken)
    {
        // keepalived refuses to start ("already running", silently, exit 0) while a pid file names a live
        // process, and a zombie (a killed keepalived nobody reaped) is one. Its process is gone: clear the files.
        foreach (var file in paths.PidFiles)
            File.Delete(file);
        string[] arguments =
        [
            "--vrrp", "--log-detail",
            $"--use-file={paths.ConfigFile}",
            $"--pid={paths.PidFile}", $"--vrrp_pid={paths.VrrpPidFile}", $"--checkers_pid={paths.CheckersPidFile}",
        ];
        var result = await runner.RunAsync(Keepalived, arguments, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new KeepalivedException(KeepalivedFailure.StartFailed, $"`{result.CommandLine}` exited with {result.ExitCode}: {(result.StandardError + result.StandardOutput).Trim()}");

        // keepalived daemonizes: the command returns before the daemon has written its pid file.
        var deadline = _time.GetUtcNow() + StartWait;
        while (_time.GetUtcNow() < deadline)
        {
            if (RunningPid() is { } pid)
                return pid;
            await Task.Delay(PollInterval, _time, cancellationToken);
        }
        throw new KeepalivedException(KeepalivedFailure.StartFailed,
            $"keepalived did not come up within {StartWait.TotalSeconds} s (no live process in {paths.PidFile}); " +
            "its reason is in the system log (journalctl -t Keepalived -t Keepalived_vrrp)");
    }

    private async Task SignalAsync(int pid, string signal, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
        // Gone between the check and the signal: nothing left to signal, which is what a stop wants anyway.
        if (!result.Succeeded && processes.CommandLine(pid) is not null)
            result.EnsureSuccess();
    }

    private async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (processes.CommandLine(pid) is not null)
        {
            if (_time.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(PollInterval, _time, cancellationToken);
        }
        return true;
    }

    private static int? ReadPidFile(string path) =>
        int.TryParse(AtomicTextFile.ReadOrNull(path)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
}
