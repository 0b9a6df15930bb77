using Keepwire.Adapters.Routing;

namespace Keepwire.Tests.Adapters;

/// <summary>The in-process sysctl adapter on a directory standing in for /proc/sys.</summary>
public sealed class ProcSysctlTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("keepwire-procsys-").FullName;

    [Fact]
    public async Task Reads_a_value_without_its_newline_and_a_missing_key_as_null()
    {
        Directory.CreateDirectory(Path.Combine(_root, "net/ipv4/neigh/eth0.100"));
        await File.WriteAllTextAsync(Path.Combine(_root, "net/ipv4/neigh/eth0.100/unres_qlen_bytes"), "212992\n");
        var sysctl = new ProcSysctl(_root);

        Assert.Equal("212992", await sysctl.ReadAsync(SysctlKeys.UnresolvedQueueBytes("eth0.100", System.Net.Sockets.AddressFamily.InterNetwork)));
        Assert.Null(await sysctl.ReadAsync("net/ipv4/neigh/gone0/unres_qlen_bytes"));
        Assert.Null(await sysctl.ReadAsync("net/ipv4/ip_forward"));
    }

    [Fact]
    public async Task Writes_the_value_and_EnsureAsync_writes_only_a_difference()
    {
        Directory.CreateDirectory(Path.Combine(_root, "net/ipv4"));
        var file = Path.Combine(_root, SysctlKeys.IPv4Forwarding);
        await File.WriteAllTextAsync(file, "0\n");
        var sysctl = new ProcSysctl(_root);

        Assert.True(await sysctl.EnsureAsync(SysctlKeys.IPv4Forwarding, "1"));
        Assert.Equal("1\n", await File.ReadAllTextAsync(file));
        Assert.False(await sysctl.EnsureAsync(SysctlKeys.IPv4Forwarding, "1"));
    }

    [Fact]
    public async Task A_key_that_is_not_there_cannot_be_written_and_says_which()
    {
        var error = await Assert.ThrowsAsync<IOException>(() => new ProcSysctl(_root).WriteAsync("net/ipv4/conf/gone0/rp_filter", "2"));
        Assert.Contains("net/ipv4/conf/gone0/rp_filter = 2", error.Message);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("net/../../etc/passwd")]
    [InlineData("net//ipv4")]
    [InlineData("")]
    public async Task A_key_that_would_leave_the_tree_is_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => new ProcSysctl(_root).ReadAsync(key));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
