using Keepwire.Adapters.Keepalived;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding.Editing;

namespace Keepwire.Onboarding.Init;

/// <param name="KeyCreated">False when an existing key file was kept and used.</param>
public sealed record HubInitResult(WireGuardKey PublicKey, bool KeyCreated, ClusterConfig Config);

/// <summary>
/// <c>keepwire init</c>: the hub's key (a new one, or the one already in the key file) and a starter
/// configuration, validated before it is written. An existing configuration is never replaced unless asked.
/// </summary>
public static class HubInit
{
    /// <exception cref="ConfigEditException">The configuration exists, or the starter configuration does not validate with these options.</exception>
    /// <exception cref="KeyFileException">The key file exists but cannot be used.</exception>
    public static async Task<HubInitResult> RunAsync(HubInitOptions options, bool overwrite, TimeProvider time, CancellationToken cancellationToken)
    {
        if (File.Exists(options.ConfigPath) && !overwrite)
            throw new ConfigEditException($"{options.ConfigPath} already exists; keepwire init never replaces a configuration unless given --force");

        var existingKey = File.Exists(options.PrivateKeyFile) ? KeyFile.ReadPrivateKey(options.PrivateKeyFile) : (WireGuardKey?)null;
        var keys = existingKey is { } key ? new KeyPair(key, KeyPair.PublicKeyOf(key)) : KeyPair.Generate();
        var text = StarterConfig.Render(options, keys.PublicKey, time.GetUtcNow());
        var loaded = ConfigLoader.Parse(text, options.ConfigPath);
        if (loaded.Config is not { } config)
            throw new ConfigEditException($"these settings do not make a valid configuration:\n{string.Join('\n', loaded.Errors)}");

        if (existingKey is null)
            KeyFile.WritePrivateKey(options.PrivateKeyFile, keys.PrivateKey);
        await AtomicTextFile.WriteAsync(options.ConfigPath, text, AtomicTextFile.WorldReadable, cancellationToken);
        return new HubInitResult(keys.PublicKey, existingKey is null, config);
    }
}
