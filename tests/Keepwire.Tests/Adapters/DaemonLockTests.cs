using System.Globalization;
using Keepwire.Adapters.Posix;

namespace Keepwire.Tests.Adapters;

public sealed class DaemonLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-lock-").FullName;

    private string LockPath => Path.Combine(_directory, "hub1.lock");

    [Fact]
    public void A_second_lock_is_refused_naming_the_holder_and_taken_once_the_first_is_released()
    {
        var first = DaemonLock.Acquire(LockPath, "hub hub1's pid file");

        var refused = Assert.Throws<DaemonAlreadyRunningException>(() => DaemonLock.Acquire(LockPath, "hub hub1's pid file"));
        Assert.Equal(Environment.ProcessId, refused.Pid);
        Assert.Contains($"pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}", refused.Message, StringComparison.Ordinal);
        Assert.StartsWith("hub hub1's pid file belongs to a running keepwire daemon", refused.Message, StringComparison.Ordinal);

        first.Dispose();
        using var second = DaemonLock.Acquire(LockPath, "hub hub1's pid file");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
