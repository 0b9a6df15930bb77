using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

public sealed class KeepalivedTrackFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"kw-track-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Writes_the_number_keepalived_reads_then_the_reason_on_one_line()
    {
        var file = new KeepalivedTrackFile(Path.Combine(_directory, "health"));

        Assert.True(await file.WriteAsync(healthy: false, "peer hub has priority\nin a split brain"));

        Assert.Equal("1 peer hub has priority in a split brain\n", File.ReadAllText(file.Path));
        Assert.Equal(new TrackFileState(false, "peer hub has priority in a split brain"), file.Read());
    }

    [Fact]
    public async Task Writing_the_same_state_again_does_not_touch_the_file()
    {
        var file = new KeepalivedTrackFile(Path.Combine(_directory, "health"));
        await file.WriteAsync(healthy: true, "deciding");

        Assert.False(await file.WriteAsync(healthy: true, "deciding"));
        Assert.True(await file.WriteAsync(healthy: true, "following hub2"));
        Assert.Equal("0 following hub2\n", File.ReadAllText(file.Path));
    }

    [Fact]
    public void A_missing_file_reads_as_nothing_and_a_bare_number_as_that_state()
    {
        var file = new KeepalivedTrackFile(Path.Combine(_directory, "health"));
        Assert.Null(file.Read());

        Directory.CreateDirectory(_directory);
        File.WriteAllText(file.Path, "7");
        Assert.Equal(new TrackFileState(false, ""), file.Read());
    }
}
