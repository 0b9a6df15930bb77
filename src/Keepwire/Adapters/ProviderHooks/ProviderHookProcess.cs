using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.ProviderHooks;

/// <summary>
/// Runs the hook as a program (no shell) in a process group of its own, through <c>setsid</c>: a hook is usually a
/// shell script running curl, and on a timeout <see cref="ICommandRunner"/> kills the whole group, children
/// included, even one whose parent already exited. Its stdin is empty, and only the first <see cref="OutputLimit"/>
/// bytes of its stdout and of its stderr are kept; the rest is read and dropped, so a chatty hook neither blocks nor
/// costs memory.
/// </summary>
public sealed class ProviderHookProcess(ICommandRunner runner) : IProviderHook
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
        var result = await runner.RunAsync(Setsid, [call.Command[0], .. call.Arguments], standardInput: "", call.Environment, OutputLimit, cancellationToken);
        var error = result.StandardError;
        return new ProviderHookOutcome(result.ExitCode, string.IsNullOrWhiteSpace(error) ? result.StandardOutput : $"{error.TrimEnd()}\n{result.StandardOutput}");
    }
}
