using System.Diagnostics;
using Keepwire.Adapters.Posix;

namespace Keepwire.Tests.Adapters;

/// <summary>A descriptor keepwire was started with reaches no program keepwire runs, and stays usable by keepwire itself.</summary>
public sealed class InheritedDescriptorsTests
{
    [Fact]
    public async Task A_descriptor_without_close_on_exec_is_marked_and_a_program_run_after_does_not_get_it()
    {
        var fd = Libc.Open("/dev/null", 0);
        Assert.True(fd > 2, $"open gave descriptor {fd}");
        try
        {
            Assert.Equal(0, Libc.Fcntl(fd, Libc.GetDescriptorFlags, 0));
            Assert.Equal(0, await ExitCodeAsync($"test -e /proc/self/fd/{fd}"));

            InheritedDescriptors.MarkCloseOnExec();

            Assert.Equal(Libc.CloseOnExec, Libc.Fcntl(fd, Libc.GetDescriptorFlags, 0));
            Assert.NotEqual(0, await ExitCodeAsync($"test -e /proc/self/fd/{fd}"));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static async Task<int> ExitCodeAsync(string script)
    {
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", script]))!;
        await shell.WaitForExitAsync();
        return shell.ExitCode;
    }
}
