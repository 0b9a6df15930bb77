using Keepwire.Files;

namespace Keepwire.Tests.Files;

/// <summary>statx on the real file system: kinds, owner, size, identity, and links followed or not.</summary>
public sealed class FileStatusTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-filestatus-").FullName;

    [Fact]
    public void A_file_reports_its_kind_mode_owner_size_and_identity()
    {
        var path = Path.Combine(_directory, "key");
        File.WriteAllText(path, "12345");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var status = FileStatus.Of(path);
        var moved = Path.Combine(_directory, "same-key");
        File.Move(path, moved); // a rename keeps the inode

        Assert.NotNull(status);
        Assert.Equal(FileKind.Regular, status.Value.Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, status.Value.Mode);
        Assert.Equal(FileStatus.EffectiveUserId, status.Value.OwnerUid);
        Assert.Equal(5, status.Value.Size);
        Assert.NotEqual(0UL, status.Value.Identity.Inode);
        Assert.Equal(status.Value.Identity, FileStatus.Of(moved)?.Identity);
        Assert.NotEqual(status.Value.Identity, FileStatus.Of(_directory)?.Identity);
    }

    [Fact]
    public void A_symbolic_link_is_followed_unless_asked_not_to()
    {
        var target = Path.Combine(_directory, "target");
        File.WriteAllText(target, "x");
        var link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, target);

        Assert.Equal(FileKind.Regular, FileStatus.Of(link)?.Kind);
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(link, followLink: false)?.Kind);
        Assert.Equal(FileKind.Directory, FileStatus.Of(_directory)?.Kind);
    }

    [Fact]
    public void Nothing_there_is_null_also_below_a_file()
    {
        var file = Path.Combine(_directory, "file");
        File.WriteAllText(file, "");

        Assert.Null(FileStatus.Of(Path.Combine(_directory, "missing")));
        Assert.Null(FileStatus.Of(Path.Combine(file, "below"))); // ENOTDIR
        var dangling = Path.Combine(_directory, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(_directory, "gone"));
        Assert.Null(FileStatus.Of(dangling));
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(dangling, followLink: false)?.Kind);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
