using System.Net;

namespace Keepwire.Adapters.ProviderHooks;

/// <summary>
/// Runs the provider hook once: <c>COMMAND… ACTION VIP…</c> with the call's environment, to its exit. Cancelling the
/// token ends the call at once: the hook's whole process group is killed and <see cref="OperationCanceledException"/>
/// is thrown. The caller owns the timeout (it cancels), so tests run it on a fake clock.
/// </summary>
public interface IProviderHook
{
    Task<ProviderHookOutcome> RunAsync(ProviderHookCall call, CancellationToken cancellationToken);
}

/// <summary>What the hook is asked to do; see docs/provider-hooks.md.</summary>
public enum ProviderHookAction
{
    /// <summary>Route every VIP to this hub; exit 0 only once the provider confirmed it (idempotent: it may already be so).</summary>
    Assign,

    /// <summary>Exit 0 when the provider routes every VIP to this hub now, non-zero otherwise (read-only).</summary>
    Check,
}

/// <param name="Command">The configured program and its own arguments.</param>
/// <param name="Environment">Set on top of the daemon's environment: which hub, its peer, the VIPs, the action, the attempt.</param>
public sealed record ProviderHookCall(IReadOnlyList<string> Command, ProviderHookAction Action, IReadOnlyList<IPAddress> Vips, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The action as the hook reads it, its first argument after its own.</summary>
    public string ActionWord => Action == ProviderHookAction.Assign ? "assign" : "check";

    /// <summary>Everything after the program: its own arguments, the action, the VIPs.</summary>
    public IReadOnlyList<string> Arguments => [.. Command.Skip(1), ActionWord, .. Vips.Select(v => v.ToString())];
}

/// <param name="ExitCode">The hook's exit code (127: it could not be started).</param>
/// <param name="Output">The beginning of what it wrote (stderr, then stdout), bounded: for the log and the status.</param>
public sealed record ProviderHookOutcome(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The first line of the output, at most 200 characters: what a log line or the status carries.</summary>
    public string FirstLine
    {
        get
        {
            var line = Output.Trim().Split('\n', 2)[0].Trim();
            return line.Length > 200 ? line[..200] + "…" : line;
        }
    }
}
