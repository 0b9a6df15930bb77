using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// WireGuard key pairs for the lab's nodes. The private key comes from <c>wg genkey</c>'s output
/// and goes to <c>wg pubkey</c> on standard input: never on a command line, never in a log. The
/// key file is created with mode 0600, so it is never readable by others, not even briefly.
/// </summary>
internal sealed class LabKeys(ICommandRunner runner, LabPaths paths)
{
    private const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the key pair of <paramref name="node"/> and returns its public key.</summary>
    public async Task<string> CreateAsync(string node, CancellationToken cancellationToken)
    {
        var privateKey = (await runner.RunCheckedAsync("wg", ["genkey"], cancellationToken: cancellationToken)).StandardOutput.Trim();
        var publicKey = (await runner.RunCheckedAsync("wg", ["pubkey"], privateKey + "\n", cancellationToken)).StandardOutput.Trim();

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateKeyMode };
        await using (var file = new StreamWriter(paths.PrivateKeyFile(node), options))
            await file.WriteLineAsync(privateKey.AsMemory(), cancellationToken);
        await File.WriteAllTextAsync(paths.PublicKeyFile(node), publicKey + "\n", cancellationToken);
        return publicKey;
    }

    public string ReadPublicKey(string node) => File.ReadAllText(paths.PublicKeyFile(node)).Trim();
}
