using Keepwire.Adapters.Processes;

namespace Keepwire.Tests.Adapters;

/// <summary>Answers commands from a script of canned results and records what was run.</summary>
internal sealed class FakeCommandRunner(Func<string, IReadOnlyList<string>, string?, (int ExitCode, string Stdout, string Stderr)> respond) : ICommandRunner
{
    public List<(string Program, IReadOnlyList<string> Arguments, string? StandardInput)> Calls { get; } = [];

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
    {
        Calls.Add((program, arguments, standardInput));
        var (exitCode, stdout, stderr) = respond(program, arguments, standardInput);
        return Task.FromResult(new CommandResult(program, arguments, exitCode, stdout, stderr));
    }
}
