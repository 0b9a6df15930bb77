using System.Text;
using Keepwire.Files;
using Keepwire.Model;

namespace Keepwire.Configuration;

/// <summary>
/// Reads and writes WireGuard private key files (base64 text, like <c>wg genkey</c> writes). A key file must be
/// private, as ssh requires of its keys: a regular file owned by the daemon's user or root, that group and others
/// cannot access. One that others could read is a leaked key; one that another user owns could be swapped for a
/// key of theirs. Either is refused rather than used.
/// </summary>
public static class KeyFile
{
    /// <summary>A key file is one line of 44 characters; anything much longer is not one, and is not read whole.</summary>
    private const int MaxKeyFileBytes = 4096;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Checks that the file at <paramref name="path"/> is fit to hold a private key, without reading it: for a key
    /// handed to wg as a path, which Keepwire itself never reads.
    /// </summary>
    /// <exception cref="KeyFileException">Missing, not a regular file, owned by another user, or accessible by group/others.</exception>
    public static void EnsurePrivate(string path) => EnsurePrivate(path, FileStatus.EffectiveUserId);

    /// <param name="daemonUid">The uid the key must belong to (besides root); the process's own, except in tests.</param>
    internal static void EnsurePrivate(string path, uint daemonUid)
    {
        FileStatus status;
        try
        {
            status = FileStatus.Of(path) ?? throw new KeyFileException(KeyFileProblem.Missing, path,
                $"private key file '{path}' does not exist (create it with: keepwire keygen --private-key {path})");
        }
        catch (IOException e)
        {
            throw new KeyFileException(KeyFileProblem.Inaccessible, path, $"cannot read private key file '{path}': {e.Message}", e);
        }

        if (status.Kind != FileKind.Regular)
            throw new KeyFileException(KeyFileProblem.Inaccessible, path, $"private key file '{path}' is not a regular file");
        if (status.OwnerUid != daemonUid && status.OwnerUid != 0)
        {
            throw new KeyFileException(KeyFileProblem.WrongOwner, path,
                $"private key file '{path}' belongs to uid {status.OwnerUid}, not to this daemon's user (uid {daemonUid}) or root, so that user could replace the key; refusing to use it (run: chown {daemonUid} {path})");
        }

        if ((status.Mode & GroupOrOthers) != 0)
        {
            throw new KeyFileException(KeyFileProblem.TooPermissive, path,
                $"private key file '{path}' has mode {Octal(status.Mode)}, so others can access it; refusing to use it (run: chmod 600 {path}, and consider the key leaked if others could read it)");
        }
    }

    /// <exception cref="KeyFileException">As <see cref="EnsurePrivate(string)"/>, unreadable, or not a key.</exception>
    public static WireGuardKey ReadPrivateKey(string path)
    {
        EnsurePrivate(path);
        string text;
        try
        {
            text = Encoding.ASCII.GetString(BoundedFile.ReadAtMost(path, MaxKeyFileBytes));
        }
        catch (FileReadException e) when (e.Problem == FileReadProblem.Missing)
        {
            throw new KeyFileException(KeyFileProblem.Missing, path,
                $"private key file '{path}' does not exist (create it with: keepwire keygen --private-key {path})", e);
        }
        catch (FileReadException e)
        {
            throw new KeyFileException(e.Problem == FileReadProblem.TooLarge ? KeyFileProblem.NotAKey : KeyFileProblem.Inaccessible, path,
                $"cannot read private key file '{path}': {e.Message}", e);
        }

        if (!WireGuardKey.TryParse(text.Trim(), out var key))
        {
            throw new KeyFileException(KeyFileProblem.NotAKey, path,
                $"private key file '{path}' does not hold a WireGuard key (expected one line of 44 base64 characters, as 'wg genkey' writes)");
        }

        return key;
    }

    /// <summary>
    /// Reads a node's private key and checks it against the node's <c>public_key</c> from the configuration,
    /// so a swapped or stale key file fails at start instead of as a silent handshake failure.
    /// </summary>
    /// <exception cref="KeyFileException">As <see cref="ReadPrivateKey(string)"/>, or the key does not match (<see cref="KeyFileProblem.WrongKey"/>).</exception>
    public static WireGuardKey ReadPrivateKey(string path, WireGuardKey expectedPublicKey)
    {
        var key = ReadPrivateKey(path);
        var actual = KeyPair.PublicKeyOf(key);
        if (actual != expectedPublicKey)
        {
            throw new KeyFileException(KeyFileProblem.WrongKey, path,
                $"private key file '{path}' belongs to public key {actual}, but the configuration says {expectedPublicKey} (fix public_key in the configuration, or point private_key_file at the right key)");
        }

        return key;
    }

    /// <summary>
    /// Writes the key with mode 0600 from the moment the file exists: it is created with that mode (never
    /// created open and tightened later), then renamed into place, so the path holds either the old or the whole new key.
    /// A missing parent directory is created with mode 0700.
    /// </summary>
    /// <exception cref="KeyFileException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static void WritePrivateKey(string path, WireGuardKey key, bool overwrite = false)
    {
        var fullPath = Path.GetFullPath(path);
        try
        {
            // Written in full and flushed under a temporary name first, so a crash never leaves a truncated key at the path.
            AtomicFile.Write(fullPath, Encoding.ASCII.GetBytes(key.Base64 + "\n"), AtomicFile.OwnerOnly, overwrite);
        }
        catch (IOException e) when (!overwrite && File.Exists(fullPath))
        {
            throw new KeyFileException(KeyFileProblem.AlreadyExists, path,
                $"private key file '{path}' already exists; refusing to replace a key (remove it first, or ask to overwrite)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(KeyFileProblem.Inaccessible, path, $"cannot write private key file '{path}': {e.Message}", e);
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1ff, 8).PadLeft(3, '0');
}
