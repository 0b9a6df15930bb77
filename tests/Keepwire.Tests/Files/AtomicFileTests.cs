using Keepwire.Files;

namespace Keepwire.Tests.Files;

/// <summary>
/// The replace contract the state files, keys and keepalived's files rely on. That the content and the
/// rename are flushed to disk (fsync of the file, then of its directory) a unit test cannot see; strace can
/// (docs/security.md).
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-atomic-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void A_file_is_replaced_whole_with_its_mode_and_nothing_left_beside_it()
    {
        var path = Path.Combine(directory, "state.json");
        File.WriteAllText(path, "old content that is longer than the new one");

        AtomicFile.Write(path, "new"u8, AtomicFile.OwnerOnly);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(AtomicFile.OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(["state.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task The_async_form_does_the_same()
    {
        var path = Path.Combine(directory, "track");

        await AtomicFile.WriteAsync(path, "0 ok\n"u8.ToArray(), AtomicFile.WorldReadable, CancellationToken.None);

        Assert.Equal("0 ok\n", File.ReadAllText(path));
        Assert.Equal(AtomicFile.WorldReadable, File.GetUnixFileMode(path));
        Assert.Equal(["track"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Without_overwrite_an_existing_file_is_left_alone()
    {
        var path = Path.Combine(directory, "hub.key");
        File.WriteAllText(path, "first");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "second"u8, AtomicFile.OwnerOnly, overwrite: false));

        Assert.Equal("first", File.ReadAllText(path));
        Assert.Equal(["hub.key"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void A_missing_directory_is_made_private_to_the_owner()
    {
        var path = Path.Combine(directory, "run", "keepwire", "state.json");

        AtomicFile.Write(path, "{}"u8, AtomicFile.OwnerOnly);

        Assert.Equal(AtomicFile.OwnerOnlyDirectory, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }
}
