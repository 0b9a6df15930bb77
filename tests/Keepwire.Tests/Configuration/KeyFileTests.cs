using Keepwire.Configuration;
using Keepwire.Files;

namespace Keepwire.Tests.Configuration;

public sealed class KeyFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-keys-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void A_written_key_has_mode_0600_and_reads_back()
    {
        var path = Path.Combine(directory, "alpha.key");
        var pair = KeyPair.Generate();

        KeyFile.WritePrivateKey(path, pair.PrivateKey);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(pair.PrivateKey.Base64 + "\n", File.ReadAllText(path));
        Assert.Equal(pair.PrivateKey, KeyFile.ReadPrivateKey(path));
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public void Writing_creates_a_missing_directory_private_to_the_owner()
    {
        var path = Path.Combine(directory, "etc", "keepwire", "hub.key");

        KeyFile.WritePrivateKey(path, KeyPair.Generate().PrivateKey);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void An_existing_key_is_not_replaced_unless_asked()
    {
        var path = Path.Combine(directory, "alpha.key");
        var first = KeyPair.Generate().PrivateKey;
        var second = KeyPair.Generate().PrivateKey;
        KeyFile.WritePrivateKey(path, first);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.WritePrivateKey(path, second));
        Assert.Equal(KeyFileProblem.AlreadyExists, refused.Problem);
        Assert.Equal(first, KeyFile.ReadPrivateKey(path));

        KeyFile.WritePrivateKey(path, second, overwrite: true);
        Assert.Equal(second, KeyFile.ReadPrivateKey(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public void Overwriting_a_loose_file_leaves_a_private_one()
    {
        var path = Path.Combine(directory, "loose.key");
        File.WriteAllText(path, "old\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        KeyFile.WritePrivateKey(path, KeyPair.Generate().PrivateKey, overwrite: true);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite, "0620")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherExecute, "0401")]
    public void A_key_others_can_access_is_refused(UnixFileMode mode, string octal)
    {
        var path = Path.Combine(directory, "loose.key");
        File.WriteAllText(path, KeyPair.Generate().PrivateKey.Base64 + "\n");
        File.SetUnixFileMode(path, mode);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.ReadPrivateKey(path));

        Assert.Equal(KeyFileProblem.TooPermissive, refused.Problem);
        Assert.Equal(path, refused.Path);
        Assert.Contains($"has mode {octal}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {path}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_key_for_the_owner_is_accepted()
    {
        var path = Path.Combine(directory, "ro.key");
        var key = KeyPair.Generate().PrivateKey;
        KeyFile.WritePrivateKey(path, key);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);

        Assert.Equal(key, KeyFile.ReadPrivateKey(path));
    }

    [Fact]
    public void A_missing_key_file_is_refused_with_its_path()
    {
        var path = Path.Combine(directory, "nope.key");

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.ReadPrivateKey(path));

        Assert.Equal(KeyFileProblem.Missing, refused.Problem);
        Assert.Contains($"'{path}' does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello\n")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")]
    public void A_file_without_a_key_is_refused_without_echoing_its_content(string content)
    {
        var path = Path.Combine(directory, "bad.key");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.ReadPrivateKey(path));

        Assert.Equal(KeyFileProblem.NotAKey, refused.Problem);
        if (content.Trim().Length > 0)
            Assert.DoesNotContain(content.Trim(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_is_checked_against_the_configured_public_key()
    {
        var path = Path.Combine(directory, "alpha.key");
        var pair = KeyPair.Generate();
        var other = KeyPair.Generate();
        KeyFile.WritePrivateKey(path, pair.PrivateKey);

        Assert.Equal(pair.PrivateKey, KeyFile.ReadPrivateKey(path, pair.PublicKey));
        var refused = Assert.Throws<KeyFileException>(() => KeyFile.ReadPrivateKey(path, other.PublicKey));
        Assert.Equal(KeyFileProblem.WrongKey, refused.Problem);
        Assert.Contains(pair.PublicKey.Base64, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pair.PrivateKey.Base64, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_another_user_owns_is_refused()
    {
        // Before: only the mode was checked, so a key that another user owned (and could swap for theirs) was used.
        var path = Path.Combine(directory, "theirs.key");
        KeyFile.WritePrivateKey(path, KeyPair.Generate().PrivateKey);
        var owner = FileStatus.Of(path)!.Value.OwnerUid;
        // Root-owned keys are always accepted, so a test running as root hands the file to "nobody";
        // one running as another user asks as if the daemon ran under the next uid.
        if (owner == 0)
            RunChecked("chown", "65534", path);
        var daemonUid = owner == 0 ? 0u : owner + 1;

        var refused = Assert.Throws<KeyFileException>(() => KeyFile.EnsurePrivate(path, daemonUid));

        Assert.Equal(KeyFileProblem.WrongOwner, refused.Problem);
        Assert.Contains($"not to this daemon's user (uid {daemonUid}) or root", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"chown {daemonUid} {path}", refused.Message, StringComparison.Ordinal);
    }

    private static void RunChecked(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
