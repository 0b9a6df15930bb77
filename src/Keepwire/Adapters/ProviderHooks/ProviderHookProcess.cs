using System.ComponentModel;
using System.Diagnostics;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.ProviderHooks;

/// <summary>
/// Runs the hook as a program (no shell) in a process group of its own, through <c>setsid</c>: a hook is usually a
/// shell script running curl, and on a timeout the whole group goes (kill -KILL -PGID), children included, even
/// one whose parent already exited. Its stdin is empty, and only the first <see cref="OutputLimit"/> bytes of its
/// stdout and of its stderr are kept; the rest is read and dropped, so a chatty hook neither blocks nor costs memory.
/// </summary>
public sealed class ProviderHookProcess : IProviderHook
{
    /// <summary>Bytes kept of each of stdout and stderr: only a first line ever reaches a log or the status.</summary>
    public const int OutputLimit = 4096;

    /// <summary>
    /// util-linux's setsid: started by the daemon, the hook is not a process group leader, so setsid makes it one in
    /// place (no fork) and execs it: its pid is the group's id.
    /// </summary>
    public const string Setsid = "setsid";

    public async Task<ProviderHookOutcome> RunAsync(ProviderHookCall call, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Setsid)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(call.Command[0]);
        foreach (var argument in call.Arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in call.Environment)
            start.Environment[name] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ProviderHookOutcome(CommandResult.CannotStartExitCode, $"cannot start {Setsid} for the hook: {e.Message} (is util-linux installed?)");
        }

        process.StandardInput.Close();
        var stdout = CommandRunner.ReadCappedAsync(process.StandardOutput.BaseStream, OutputLimit, cancellationToken);
        var stderr = CommandRunner.ReadCappedAsync(process.StandardError.BaseStream, OutputLimit, cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            var (output, _) = await stdout;
            var (error, _) = await stderr;
            return new ProviderHookOutcome(process.ExitCode, string.IsNullOrWhiteSpace(error) ? output : $"{error.TrimEnd()}\n{output}");
        }
        catch (OperationCanceledException)
        {
            KillGroup(process);
            throw;
        }
    }

    private static void KillGroup(Process process)
    {
        Libc.KillProcessGroup(process.Id);
        try
        {
            // Covers a setsid that had to fork (its child leads the group): the tree as /proc shows it.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
