using Keepwire.Adapters.Keepalived;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Onboarding.Tokens;

namespace Keepwire.Onboarding.Join;

/// <summary>What <c>keepwire join</c> was asked for.</summary>
/// <param name="PrivateKeyFile">Where the site's new private key goes; default: beside the config, <c>NAME.key</c>.</param>
/// <param name="Interface">The site's WireGuard interface name, a local choice; default: the hub's view (<c>kw0</c>).</param>
/// <param name="Overwrite">Replace an existing config file (never an existing key file).</param>
public sealed record JoinOptions(string Token, string ConfigPath, string? PrivateKeyFile, string? Interface, bool Overwrite);

/// <param name="Site">The site as the written configuration describes it.</param>
public sealed record JoinResult(string ConfigPath, string PrivateKeyFile, ClusterConfig Config, SiteNode Site);

/// <summary>
/// <c>keepwire join TOKEN</c> on a site: makes the site's key pair here (the private key never leaves the
/// machine), registers the public key with the hub in one authenticated exchange, and writes the site's own
/// configuration. Everything is checked before anything is written: a wrong, expired or used token, an
/// unreachable hub or an answer that does not verify leaves the machine exactly as it was.
/// </summary>
public static class SiteJoiner
{
    /// <exception cref="JoinException">The join did not happen; nothing was written.</exception>
    public static async Task<JoinResult> JoinAsync(JoinOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        JoinToken token;
        try
        {
            token = JoinToken.Decode(options.Token);
        }
        catch (FormatException e)
        {
            throw new JoinException(e.Message, e);
        }

        var now = time.GetUtcNow();
        if (now >= token.ExpiresAt)
        {
            throw new JoinException(
                $"this token expired at {token.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC (this machine's clock says {now:yyyy-MM-dd HH:mm:ss} UTC); "
                + $"ask the hub's operator for a new one (keepwire site add {token.SiteName})");
        }

        var configPath = Path.GetFullPath(options.ConfigPath);
        var keyPath = Path.GetFullPath(options.PrivateKeyFile ?? Path.Combine(Path.GetDirectoryName(configPath) ?? "/", token.SiteName + ".key"));
        if (File.Exists(configPath) && !options.Overwrite)
            throw new JoinException($"{configPath} already exists; move it away, or pass --force to replace it (the token is still unused)");
        if (File.Exists(keyPath))
            throw new JoinException($"{keyPath} already exists; a join makes a new key and never replaces one: move it away or pass another --private-key (the token is still unused)");

        var keys = KeyPair.Generate();
        var request = JoinRequest.Create(token.Id, token.Secret, token.SiteName, keys.PublicKey.Base64);
        var response = await JoinClient.ExchangeAsync(token, request, cancellationToken);
        if (!response.Ok)
            throw new JoinException($"the hub refused the join: {response.Error}");
        if (!response.Verify(token.Secret, request.Nonce))
            throw new JoinException($"the answer from {token.JoinEndpoint} is not signed with this token's secret, so it did not come from the hub that made the token; nothing was written");

        var (config, site) = CheckHubView(response.Config!, token, keys.PublicKey);
        var header = $"Keepwire site {site.Name}: written by `keepwire join` on {now:yyyy-MM-dd HH:mm} UTC.\n"
            + "The hubs and this site's entry come from the hub's configuration; change them there and join again,\n"
            + "or edit them here in step with the hub. Reference: /usr/share/doc/keepwire/configuration.md";
        var text = SiteConfigRenderer.Render(config, site, header, keyPath, options.Interface);
        var written = ConfigLoader.Parse(text, configPath);
        if (written.Config?.FindSite(site.Name) is not { } writtenSite)
            throw new JoinException($"the site configuration does not validate (a bug; please report it):\n{string.Join('\n', written.Errors)}");

        KeyFile.WritePrivateKey(keyPath, keys.PrivateKey);
        try
        {
            await AtomicTextFile.WriteAsync(configPath, text, AtomicTextFile.WorldReadable, cancellationToken);
        }
        catch
        {
            File.Delete(keyPath);
            throw;
        }
        return new JoinResult(configPath, keyPath, written.Config, writtenSite);
    }

    /// <summary>The hub's answer must describe this site with the key just made, and a hub with the key the token names.</summary>
    private static (ClusterConfig Config, SiteNode Site) CheckHubView(string text, JoinToken token, WireGuardKey publicKey)
    {
        var loaded = ConfigLoader.Parse(text, "(the hub's answer)");
        if (loaded.Config is not { } config)
            throw new JoinException($"the hub sent a site configuration that does not validate; use the same keepwire version on both:\n{string.Join('\n', loaded.Errors)}");
        if (config.FindSite(token.SiteName) is not { } site || site.PublicKey != publicKey)
            throw new JoinException($"the hub's answer does not describe site '{token.SiteName}' with the key made here; nothing was written");
        if (config.Hubs.All(h => h.PublicKey != token.HubPublicKey))
            throw new JoinException("the hub's answer does not hold the hub key the token names; nothing was written");
        return (config, site);
    }
}
