using System.Text;
using Keepwire.Model;

namespace Keepwire.Configuration;

/// <summary>
/// Reads and writes WireGuard private key files (base64 text, like <c>wg genkey</c> writes). A key file must
/// be private to its owner; one that group or others can access is refused rather than used.
/// </summary>
public static class KeyFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <exception cref="KeyFileException">The file is missing, unreadable, accessible by group/others, or not a key.</exception>
    public static WireGuardKey ReadPrivateKey(string path)
    {
        UnixFileMode mode;
        string text;
        try
        {
            mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOthers) != 0)
            {
                throw new KeyFileException(KeyFileProblem.TooPermissive, path,
                    $"private key file '{path}' has mode {Octal(mode)}, so others can access it; refusing to use it (run: chmod 600 {path}, and consider the key leaked if others could read it)");
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new KeyFileException(KeyFileProblem.Missing, path,
                $"private key file '{path}' does not exist (create it with: keepwire keygen --out {path})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException(KeyFileProblem.Inaccessible, path, $"cannot read private key file '{path}': {e.Message}", e);
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
        var directory = Path.GetDirectoryName(fullPath) ?? "/";
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (!Directory.Exists(directory))
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Written in full under a temporary name first, so a crash never leaves a truncated key at the path.
            WriteNew(temporary, key);
            File.Move(temporary, fullPath, overwrite);
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
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private static void WriteNew(string path, WireGuardKey key)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OwnerOnly,
        };
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(key.Base64 + "\n"));
        stream.Flush(flushToDisk: true);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1ff, 8).PadLeft(3, '0');
}
