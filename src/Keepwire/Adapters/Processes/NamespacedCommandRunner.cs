namespace Keepwire.Adapters.Processes;

/// <summary>
/// Runs every command inside a network namespace (<c>ip netns exec NAME program …</c>), so an
/// adapter written against <see cref="ICommandRunner"/> works unchanged on a lab node or in a test.
/// </summary>
public sealed class NamespacedCommandRunner : ICommandRunner
{
    private readonly ICommandRunner _inner;

    public NamespacedCommandRunner(ICommandRunner inner, string namespaceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(namespaceName);
        // ip(8) would read a name with a slash as a path, and one starting with '-' as an option.
        if (namespaceName.Contains('/') || namespaceName.StartsWith('-'))
            throw new ArgumentException($"not a usable network namespace name: '{namespaceName}'", nameof(namespaceName));
        _inner = inner;
        NamespaceName = namespaceName;
    }

    public string NamespaceName { get; }

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
    {
        var prefixed = new List<string>(arguments.Count + 4) { "netns", "exec", NamespaceName, program };
        prefixed.AddRange(arguments);
        // ip netns exec runs the program with ip's own environment, so the variables pass through.
        return _inner.RunAsync("ip", prefixed, standardInput, environment, outputLimit, cancellationToken);
    }
}
