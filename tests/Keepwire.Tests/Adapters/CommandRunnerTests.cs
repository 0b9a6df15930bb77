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
        Assert.True(result.Truncated);
    }

    [Fact]
    public async Task A_call_can_keep_less_and_both_streams_are_capped()
    {
        var result = await new CommandRunner().RunAsync("sh", ["-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; exit 3"], outputLimit: 4096);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(4096, result.StandardOutput.Length);
        Assert.Equal(4096, result.StandardError.Length);
        Assert.True(result.Truncated);
    }

    [Fact]
    public async Task Output_within_the_limit_is_whole()
    {
        var result = await new CommandRunner().RunAsync("printf", ["a\nb"]);

        Assert.Equal("a\nb", result.StandardOutput);
        Assert.False(result.Truncated);
    }

    [Fact]
    public async Task A_finished_run_leaves_no_pipe_open()
    {
        // Other tests run programs at the same time, so a few pipes may come and go; a leak is two per run.
        const int Runs = 200;
        var before = OpenPipes();

        for (var run = 0; run < Runs; run++)
            await new CommandRunner().RunAsync("cat", [], standardInput: "x");

        Assert.InRange(OpenPipes() - before, int.MinValue, Runs / 4);
    }

    private static int OpenPipes() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(fd => fd.LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) == true);
}
