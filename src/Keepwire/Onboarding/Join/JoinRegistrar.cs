using Keepwire.Model;
using Keepwire.Onboarding.Editing;
using Keepwire.Onboarding.Tokens;
using Microsoft.Extensions.Logging;

namespace Keepwire.Onboarding.Join;

/// <summary>
/// The hub's side of a join, without the network: checks a request against the tokens on record, puts the
/// site's public key in place of its placeholder in the configuration file (a text edit that keeps the rest of
/// the file as it was), marks the token used, has the hub reload, and answers with the site's configuration.
/// A request that fails any check changes nothing: neither the file nor the token.
/// </summary>
/// <param name="reload">Makes the running hub reread its configuration; returns an error message, or null.</param>
public sealed partial class JoinRegistrar(string configPath, JoinTokenStore store, Func<CancellationToken, Task<string?>> reload, TimeProvider time, ILogger logger)
{
    private const string NotRecognised =
        "the hub does not recognise this token (mistyped, replaced by a newer `keepwire site add` for the same site, or made by another hub)";

    public async Task<JoinResponse> HandleAsync(JoinRequest request, string remote, CancellationToken cancellationToken)
    {
        var (response, accepted) = await RegisterAsync(request, cancellationToken);
        if (accepted is null)
        {
            Log.Refused(logger, request.Site, remote, response.Error ?? "");
            return response;
        }

        if (await reload(cancellationToken) is { } error)
            Log.ReloadFailed(logger, request.Site, error);
        Log.Joined(logger, request.Site, request.PublicKey, remote);
        return response;
    }

    private async Task<(JoinResponse Response, ClusterConfig? Accepted)> RegisterAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        if (request.Version != JoinRequest.CurrentVersion)
            return (JoinResponse.Refused($"this hub speaks join protocol version {JoinRequest.CurrentVersion}, the site {request.Version}: use the same keepwire version on both"), null);

        using var storeLock = await store.LockAsync(cancellationToken);
        var now = time.GetUtcNow();
        var tokens = store.Load().ToList();
        var token = tokens.FirstOrDefault(t => t.Id == request.Token);
        var secret = token is null ? null : Convert.FromBase64String(token.Secret);
        if (token is null || secret is null || !request.Verify(secret) || request.Site != token.Site)
            return (JoinResponse.Refused(NotRecognised), null);
        if (token.UsedAt is { } usedAt)
            return (JoinResponse.Refused($"this token was already used, at {usedAt:yyyy-MM-dd HH:mm:ss} UTC; ask the hub's operator for a new one (keepwire site add {token.Site})"), null);
        if (now >= token.ExpiresAt)
            return (JoinResponse.Refused($"this token expired at {token.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC; ask the hub's operator for a new one (keepwire site add {token.Site})"), null);
        if (!WireGuardKey.TryParse(request.PublicKey, out var siteKey))
            return (JoinResponse.Refused("the site sent no valid WireGuard public key"), null);

        ClusterConfig config;
        try
        {
            config = await ConfigFileUpdate.ApplyAsync(
                configPath,
                (text, before) => before.FindSite(token.Site)?.PublicKey.Base64 == token.PlaceholderKey
                    ? ConfigEdits.ReplaceSitePublicKey(text, token.Site, siteKey, SiteEnrollment.PlaceholderComment)
                    : throw new ConfigEditException(
                        $"site '{token.Site}' is no longer awaiting a join in the hub's configuration (removed, or given a key by hand); ask the hub's operator"),
                (before, after) => ConfigFileUpdate.OthersUnchanged(before, after, token.Site)
                    ?? (after.FindSite(token.Site)?.PublicKey == siteKey ? null : "the edit did not put the site's key in place"),
                cancellationToken);
        }
        catch (ConfigEditException e)
        {
            return (JoinResponse.Refused($"the hub could not take the site's key: {e.Message}"), null);
        }

        tokens[tokens.IndexOf(token)] = token with { UsedAt = now, UsedBy = siteKey.Base64 };
        await store.SaveAsync(tokens, now, cancellationToken);
        var site = config.FindSite(token.Site)!;
        return (JoinResponse.Accepted(secret, request.Nonce, SiteConfigRenderer.Render(config, site, header: null)), config);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "site {Site} joined from {Remote} with public key {PublicKey}")]
        public static partial void Joined(ILogger logger, string site, string publicKey, string remote);

        [LoggerMessage(Level = LogLevel.Warning, Message = "refused a join for site {Site} from {Remote}: {Reason}")]
        public static partial void Refused(ILogger logger, string site, string remote, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "site {Site} joined, but reloading the hub failed (run keepwire reload): {Error}")]
        public static partial void ReloadFailed(ILogger logger, string site, string error);
    }
}
