using Keepwire.Adapters.Processes;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// Runs commands inside one network namespace (<c>ip netns exec NS …</c>). A private stand-in for the
/// library's namespaced runner, which lands on another branch; only these tests use it.
/// </summary>
internal sealed class NetnsTestRunner(ICommandRunner inner, string namespaceName) : ICommandRunner
{
    public string NamespaceName { get; } = namespaceName;

    public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default) =>
        inner.RunAsync("ip", ["netns", "exec", NamespaceName, program, .. arguments], standardInput, environment, outputLimit, cancellationToken);
}
