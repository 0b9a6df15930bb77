using Keepwire.Lab;

namespace Keepwire.Tests.Lab;

/// <summary>What a torn-down lab leaves for the reader of a failed test: its logs and config, never its keys.</summary>
public sealed class LabLogArchiveTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("keepwire-lab-archive-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    [Fact]
    public void Keeps_the_daemon_logs_the_config_and_the_nginx_logs_but_not_the_keys()
    {
        var paths = new LabPaths(Path.Combine(scratch, "state"), "kw1a2b");
        Write(paths.LogFile("hub"), "hub log");
        Write(paths.LogFile("alpha"), "alpha log");
        Write(paths.ConfigFile, "hubs: []");
        Write(Path.Combine(paths.WebServerDirectory("alpha"), "error.log"), "nginx error");
        Write(paths.PrivateKeyFile("hub"), "secret");

        var kept = LabLogArchive.Copy(paths, Path.Combine(scratch, "archive"), new DateTimeOffset(2026, 12, 6, 11, 50, 7, TimeSpan.Zero));

        Assert.Equal(Path.Combine(scratch, "archive", "20261206-115007-kw1a2b"), kept);
        Assert.Equal("hub log", File.ReadAllText(Path.Combine(kept!, "hub.log")));
        Assert.Equal("alpha log", File.ReadAllText(Path.Combine(kept!, "alpha.log")));
        Assert.Equal("hubs: []", File.ReadAllText(Path.Combine(kept!, "keepwire.yaml")));
        Assert.Equal("nginx error", File.ReadAllText(Path.Combine(kept!, "nginx-alpha-error.log")));
        Assert.DoesNotContain(Directory.EnumerateFiles(kept!, "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lab_whose_state_is_already_gone_leaves_nothing()
    {
        var paths = new LabPaths(Path.Combine(scratch, "state"), "kw1a2b");

        Assert.Null(LabLogArchive.Copy(paths, Path.Combine(scratch, "archive"), DateTimeOffset.UnixEpoch));
        Assert.False(Directory.Exists(Path.Combine(scratch, "archive")));
    }

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
