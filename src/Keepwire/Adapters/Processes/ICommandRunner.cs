namespace Keepwire.Adapters.Processes;

/// <summary>
/// Runs an outside program to completion. Every adapter that shells out (nft, wg, ip,
/// conntrack) goes through this, so there is one place that knows how to run a process,
/// capture its output and turn a failure into an actionable error.
/// </summary>
public interface ICommandRunner
{
    /// <summary>
    /// Bytes of stdout, and of stderr, kept by default: far more than any tool's listing (nft's JSON of a
    /// table with thousands of services is a few MB), and still a bound on what one command can make a
    /// daemon hold.
    /// </summary>
    const int DefaultOutputLimit = 16 * 1024 * 1024;

    /// <summary>Bytes kept of a health check's output: only its first line ever reaches a status.</summary>
    const int CheckOutputLimit = 64 * 1024;

    /// <summary>Runs <paramref name="program"/> and returns its result, whatever the exit code.</summary>
    /// <param name="environment">Variables set for this program on top of the daemon's own environment.</param>
    /// <param name="outputLimit">Bytes of stdout and of stderr kept; the rest is read and dropped (<see cref="CommandResult.Truncated"/>).</param>
    Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = DefaultOutputLimit, CancellationToken cancellationToken = default);
}

/// <param name="Truncated">stdout or stderr was longer than the call's output limit: only its beginning is here.</param>
public sealed record CommandResult(string Program, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError, bool Truncated = false)
{
    /// <summary>The exit code of a program that could not be started (not installed), as a shell reports it.</summary>
    public const int CannotStartExitCode = 127;

    public bool Succeeded => ExitCode == 0;

    public string CommandLine => Arguments.Count == 0 ? Program : $"{Program} {string.Join(' ', Arguments)}";

    /// <summary>Returns this result, or throws a <see cref="CommandFailedException"/> naming the command and its error output.</summary>
    public CommandResult EnsureSuccess() => Succeeded ? this : throw new CommandFailedException(this);
}

public sealed class CommandFailedException(CommandResult result)
    : Exception($"`{result.CommandLine}` exited with {result.ExitCode}: {FirstLines(result.StandardError, result.StandardOutput)}")
{
    public CommandResult Result { get; } = result;

    private static string FirstLines(string stderr, string stdout)
    {
        var text = string.IsNullOrWhiteSpace(stderr) ? stdout : stderr;
        text = text.Trim();
        return text.Length > 600 ? text[..600] + "…" : text;
    }
}

public static class CommandRunnerExtensions
{
    /// <summary>Runs a program and throws <see cref="CommandFailedException"/> unless it exits 0.</summary>
    public static async Task<CommandResult> RunCheckedAsync(this ICommandRunner runner, string program, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default) =>
        (await runner.RunAsync(program, arguments, standardInput, cancellationToken: cancellationToken)).EnsureSuccess();
}
