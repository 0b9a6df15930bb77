using Keepwire.Adapters.Processes;

namespace Keepwire.Tests.Adapters;

/// <summary>The real runner, on programs every Debian has: what a program prints is kept only up to a limit.</summary>
public sealed class CommandRunnerTests
{
    [Fact]
    public async Task Output_beyond_the_limit_is_read_and_dropped_so_the_program_still_finishes()
    {
        // 40 MB: more than any adapter's output, and more than a daemon may hold for one command.
        var result = await new CommandRunner().RunAsync("head", ["-c", "40000000", "/dev/zero"]);

        Assert.Equal(0, result.ExitCode);
        Assert.InRange(result.StandardOutput.Length, 1, 16 * 1024 * 1024);
    }
}
