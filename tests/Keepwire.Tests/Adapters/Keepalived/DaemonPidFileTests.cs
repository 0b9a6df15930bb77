using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class DaemonPidFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"kw-pid-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Names_this_process_in_the_form_pgrep_reads()
    {
        var path = Path.Combine(_directory, "hub.pid");

        await DaemonPidFile.WriteCurrentProcessAsync(path);

        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(path));
    }
}
