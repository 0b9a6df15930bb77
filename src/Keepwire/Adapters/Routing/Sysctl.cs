using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Routing;

/// <summary>
/// <see cref="ISysctl"/> through the <c>sysctl</c> program rather than by opening /proc/sys files in-process:
/// /proc/sys/net shows the network namespace of the process that opens it, so going through
/// <see cref="ICommandRunner"/> lets the same code act on another namespace (<c>ip netns exec</c>), which is
/// how the integration tests and the lab drive it.
/// </summary>
public sealed class Sysctl(ICommandRunner runner) : ISysctl
{
    public async Task<string?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync("sysctl", ["-n", key], cancellationToken: cancellationToken);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    public Task WriteAsync(string key, string value, CancellationToken cancellationToken = default) =>
        runner.RunCheckedAsync("sysctl", ["-q", "-w", $"{key}={value}"], cancellationToken: cancellationToken);
}
