namespace Keepwire.Configuration;

/// <summary>Why a private key file was refused.</summary>
public enum KeyFileProblem
{
    /// <summary>The file does not exist.</summary>
    Missing,

    /// <summary>The file exists but could not be read or written (permissions, I/O).</summary>
    Inaccessible,

    /// <summary>Group or others may read or write it: the key must be treated as leaked.</summary>
    TooPermissive,

    /// <summary>Another user than the daemon's (or root) owns it, and could replace the key.</summary>
    WrongOwner,

    /// <summary>The content is not a base64 WireGuard key.</summary>
    NotAKey,

    /// <summary>The key is valid but belongs to another node: its public key is not the one in the configuration.</summary>
    WrongKey,

    /// <summary>Writing would replace an existing key, and overwriting was not asked for.</summary>
    AlreadyExists,
}

/// <summary>A private key file that cannot be used. The message names the path and what to do; it never contains key material.</summary>
public sealed class KeyFileException(KeyFileProblem problem, string path, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public KeyFileProblem Problem { get; } = problem;

    public string Path { get; } = path;
}
