using System.Globalization;
using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Lab;

/// <summary>
/// Starts the lab's long-running processes detached (own session, output to a log file, pid in a
/// pid file) and stops them by pid. Detaching goes through <c>start-stop-daemon</c>, so it is an
/// ordinary program run and needs no shell; the process is <c>ip netns exec</c>, which execs the
/// real program, so the recorded pid is the program's own.
/// </summary>
internal sealed class LabProcesses(ICommandRunner runner, LabPaths paths, ILogger logger)
{
    private static readonly TimeSpan PidFileWait = TimeSpan.FromSeconds(10);

    /// <summary>Starts <paramref name="command"/> inside <paramref name="namespaceName"/> and returns its pid.</summary>
    public async Task<int> StartDetachedAsync(string name, string namespaceName, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var running = ReadPid(name);
        if (running is { } pid && IsAlive(pid))
            throw new LabException($"{name} is already running (pid {pid}).");

        var pidFile = paths.PidFile(name);
        // A stale pid file (the process died, or is an unreaped zombie) would make start-stop-daemon refuse to start.
        File.Delete(pidFile);

        string[] arguments =
        [
            "--start", "--background", "--make-pidfile", "--pidfile", pidFile, "--output", paths.LogFile(name),
            "--startas", ExecutableLocator.Find("ip"), "--", "netns", "exec", namespaceName, .. command,
        ];
        await runner.RunCheckedAsync("start-stop-daemon", arguments, cancellationToken: cancellationToken);

        var started = await WaitForPidFileAsync(name, cancellationToken);
        await WaitUntilInNamespaceAsync(started, namespaceName, cancellationToken);
        Log.ProcessStarted(logger, name, started, namespaceName);
        return started;
    }

    /// <summary>
    /// The pid file is written before <c>ip netns exec</c> has switched namespace. Until it has, the
    /// process cannot be found by its namespace (which teardown relies on), so wait for the switch.
    /// </summary>
    private async Task WaitUntilInNamespaceAsync(int pid, string namespaceName, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + PidFileWait;
        while (IsAlive(pid) && DateTime.UtcNow < deadline)
        {
            var identify = await runner.RunAsync("ip", ["netns", "identify", pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
            if (identify.Succeeded && identify.StandardOutput.Trim() == namespaceName)
                return;
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The pid recorded for <paramref name="name"/>, if its pid file exists and holds a number.</summary>
    public int? ReadPid(string name) => ReadPidFile(paths.PidFile(name));

    public static int? ReadPidFile(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Every process this lab has a pid file for, by name.</summary>
    public IReadOnlyList<(string Name, int Pid)> Tracked()
    {
        if (!Directory.Exists(paths.PidsDirectory))
            return [];
        return Directory.EnumerateFiles(paths.PidsDirectory, "*.pid")
            .Select(file => (Name: Path.GetFileNameWithoutExtension(file), Pid: ReadPidFile(file)))
            .Where(entry => entry.Pid is not null)
            .Select(entry => (entry.Name, entry.Pid!.Value))
            .OrderBy(entry => entry.Name, StringComparer.Ordinal)
            .ToList();
    }

    public void ForgetPid(string name) => File.Delete(paths.PidFile(name));

    /// <summary>
    /// True while the process exists and is not a zombie. Zombies count as gone: the process has
    /// exited, and in a container whose init does not reap, it would stay a zombie forever.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Format: "pid (comm) state …"; comm may contain spaces and parentheses, so look after the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X' or default(char));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, KILL, QUIT, …); a process that is already gone is not an error.</summary>
    public async Task SignalAsync(int pid, string signal, CancellationToken cancellationToken)
    {
        if (!IsAlive(pid))
            return;
        var result = await runner.RunAsync("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
        if (!result.Succeeded && IsAlive(pid))
            result.EnsureSuccess();
    }

    public static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }

    /// <summary>Signals the process, waits for it to exit, and kills it if it does not within <paramref name="grace"/>.</summary>
    public async Task StopAsync(int pid, string signal, TimeSpan grace, CancellationToken cancellationToken)
    {
        await SignalAsync(pid, signal, cancellationToken);
        if (await WaitForExitAsync(pid, grace, cancellationToken))
            return;
        Log.ProcessKilled(logger, pid, grace);
        await SignalAsync(pid, "KILL", cancellationToken);
        if (!await WaitForExitAsync(pid, TimeSpan.FromSeconds(10), cancellationToken))
            throw new LabException($"Process {pid} did not exit after SIGKILL.");
    }

    /// <summary>Stops the tracked process <paramref name="name"/> and removes its pid file.</summary>
    public async Task StopAsync(string name, string signal, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (ReadPid(name) is { } pid)
            await StopAsync(pid, signal, grace, cancellationToken);
        ForgetPid(name);
    }

    private async Task<int> WaitForPidFileAsync(string name, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + PidFileWait;
        while (true)
        {
            if (ReadPid(name) is { } pid)
                return pid;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"{name} did not write its pid file {paths.PidFile(name)} within {PidFileWait.TotalSeconds:0} s. {LogTail.Describe(paths.LogFile(name))}");
            await Task.Delay(50, cancellationToken);
        }
    }
}
