using System.Text;
using Keepwire.Files;

namespace Keepwire.Configuration;

/// <summary>
/// Reads a shared secret (a webhook's HMAC key, the dashboard's bearer token) from a file only its owner can
/// read, as the config names it. Refused, with what to run, when others could read or replace it.
/// </summary>
public static class SecretFile
{
    /// <summary>A secret is a line of random characters; a file much longer is not one and is not read whole.</summary>
    private const int MaxBytes = 4096;

    /// <summary>Shorter secrets can be guessed.</summary>
    public const int MinLength = 16;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The secret: the file's text without surrounding whitespace.</summary>
    /// <param name="origin">Where the config names the file ("file:line"), for the message.</param>
    /// <exception cref="ConfigInvalidException">Missing, unreadable, too open, owned by someone else, empty or too short.</exception>
    public static string Read(string path, string origin)
    {
        string Fail(string problem, string hint) => throw new ConfigInvalidException($"{origin}: secret file '{path}' {problem} (hint: {hint})");
        const string create = "create it with: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE";
        FileStatus status;
        try
        {
            status = FileStatus.Of(path) ?? throw new ConfigInvalidException($"{origin}: secret file '{path}' does not exist (hint: {create})");
        }
        catch (IOException e)
        {
            return Fail($"cannot be read: {e.Message}", "check the path and its directories' permissions");
        }

        if (status.Kind != FileKind.Regular)
            return Fail("is not a regular file", create);
        var uid = FileStatus.EffectiveUserId;
        if (status.OwnerUid != uid && status.OwnerUid != 0)
            return Fail($"belongs to uid {status.OwnerUid}, not to this daemon's user (uid {uid}) or root, so that user could replace it", $"chown {uid} {path}");
        if ((status.Mode & GroupOrOthers) != 0)
            return Fail($"has mode 0{Convert.ToString((int)status.Mode & 0x1ff, 8)}, so others can read it", $"chmod 600 {path}, and make a new secret if others could read it");

        string text;
        try
        {
            text = Encoding.UTF8.GetString(BoundedFile.ReadAtMost(path, MaxBytes)).Trim();
        }
        catch (FileReadException e)
        {
            return Fail($"cannot be read: {e.Message}", "a secret file holds one line");
        }

        if (text.Length < MinLength)
            return Fail($"holds {text.Length} characters, fewer than {MinLength}", create);
        return text;
    }
}
