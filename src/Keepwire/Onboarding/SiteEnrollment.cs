using Keepwire.Configuration;
using Keepwire.Configuration.Parsing;
using Keepwire.Model;
using Keepwire.Onboarding.Editing;
using Keepwire.Onboarding.Tokens;

namespace Keepwire.Onboarding;

/// <summary>What <c>keepwire site add</c> was asked for.</summary>
/// <param name="Hub">The hub whose join listener will answer (its endpoint goes into the token).</param>
/// <param name="PublicKey">The site's own public key, for a site that makes its key itself (a router): no token then.</param>
/// <param name="JoinEndpoint">Where sites reach the join listener; default: the hub endpoint's host and port (TCP).</param>
public sealed record SiteAddRequest(
    string ConfigPath,
    string StateDirectory,
    string Hub,
    string Site,
    int? Priority,
    bool Snat,
    IReadOnlyList<string> Services,
    WireGuardKey? PublicKey,
    TimeSpan TokenLifetime,
    HostEndpoint? JoinEndpoint);

/// <param name="Token">The join token to hand to the site; null when the site brought its own key.</param>
/// <param name="Renewed">The site was already awaiting its join: only a new token was issued.</param>
public sealed record SiteAddResult(SiteNode Site, JoinToken? Token, bool Renewed);

/// <summary>
/// <c>keepwire site add</c>: allocates the site's tunnel addresses, appends it to the configuration (and to
/// the services asked for) without disturbing the rest of the file, and issues a join token. Until the
/// site joins, its entry carries a placeholder public key whose private half nobody has.
/// </summary>
public static class SiteEnrollment
{
    /// <summary>The comment after a placeholder key; <c>keepwire join</c> removes it with the placeholder.</summary>
    public const string PlaceholderComment = "placeholder until `keepwire join`";

    /// <exception cref="ConfigEditException">The request cannot be done; nothing was changed.</exception>
    public static async Task<SiteAddResult> AddAsync(SiteAddRequest request, TimeProvider time, CancellationToken cancellationToken)
    {
        if (NameSyntax.CheckName(request.Site) is { } problem)
            throw new ConfigEditException($"{problem.Message} ({problem.Hint})");
        if (request.TokenLifetime <= TimeSpan.Zero)
            throw new ConfigEditException("a token must live for some time: give a positive --expires-in");

        var store = new JoinTokenStore(request.StateDirectory);
        using var storeLock = await store.LockAsync(cancellationToken);
        var (_, config) = ConfigFileUpdate.ReadValid(request.ConfigPath);
        var hub = config.FindHub(request.Hub)
            ?? throw new ConfigEditException($"{request.ConfigPath} has no hub '{request.Hub}' (hubs: {string.Join(", ", config.Hubs.Select(h => h.Name))})");
        var now = time.GetUtcNow();
        var tokens = store.Load().ToList();

        if (config.FindSite(request.Site) is { } existing)
            return await RenewAsync(request, store, tokens, existing, hub, now, cancellationToken);
        if (config.FindHub(request.Site) is not null)
            throw new ConfigEditException($"'{request.Site}' is the name of a hub; sites and hubs share one namespace: pick another name");

        var placeholder = request.PublicKey is null ? KeyPair.Generate().PublicKey : (WireGuardKey?)null;
        var key = request.PublicKey ?? placeholder!.Value;
        var token = placeholder is null ? null : JoinToken.Create(JoinEndpointOf(request, hub), hub.PublicKey, request.Site, now + request.TokenLifetime);
        var entry = new SiteEntry(
            request.Site, key, request.Priority, request.Snat ? SiteMode.Snat : SiteMode.Agent, null, null,
            token is null ? null : $"{PlaceholderComment} (token expires {token.ExpiresAt:yyyy-MM-dd HH:mm} UTC)");

        // The token is recorded before the site is written: a token whose site never made it into the
        // file is refused at join, while a site in the file without its token could never join.
        if (token is not null)
        {
            tokens.Add(Pending(token, placeholder!.Value, now));
            await store.SaveAsync(tokens, now, cancellationToken);
        }
        try
        {
            var after = await ConfigFileUpdate.ApplyAsync(
                request.ConfigPath,
                (text, _) => AppendPinned(text, entry, request),
                (before, after) => ConfigFileUpdate.OthersUnchanged(before, after, request.Site) ?? CheckAdded(after, entry, request.Services),
                cancellationToken);
            return new SiteAddResult(after.FindSite(request.Site)!, token, Renewed: false);
        }
        catch
        {
            if (token is not null)
                await store.SaveAsync(tokens.Where(t => t.Id != token.Id), now, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Appends the site twice over: first without addresses, to learn the ones the allocation rule gives the
    /// last site, then with those addresses written out, so the entry shows them and they never move.
    /// </summary>
    private static string AppendPinned(string text, SiteEntry entry, SiteAddRequest request)
    {
        var probe = ConfigLoader.Parse(ConfigEdits.AppendSite(text, entry), request.ConfigPath);
        if (probe.Config?.FindSite(entry.Name) is not { } allocated)
            throw new ConfigEditException($"the site cannot be added:\n{string.Join('\n', probe.Errors)}");
        var edited = ConfigEdits.AppendSite(text, entry with { TunnelIPv4 = allocated.Tunnel.IPv4, TunnelIPv6 = allocated.Tunnel.IPv6 });
        foreach (var service in request.Services)
            edited = ConfigEdits.AddSiteToService(edited, service, entry.Name);
        return edited;
    }

    private static string? CheckAdded(ClusterConfig after, SiteEntry entry, IReadOnlyList<string> services)
    {
        if (after.FindSite(entry.Name) is not { } site || site.PublicKey != entry.PublicKey)
            return $"the edit did not add site '{entry.Name}' as intended";
        var missing = services.Where(s => after.FindService(s)?.Sites.Contains(entry.Name) != true).ToList();
        return missing.Count == 0 ? null : $"the edit did not add '{entry.Name}' to {string.Join(", ", missing)}";
    }

    /// <summary>A site still awaiting its join gets a new token; the earlier ones for it stop working.</summary>
    private static async Task<SiteAddResult> RenewAsync(
        SiteAddRequest request, JoinTokenStore store, List<PendingJoin> tokens, SiteNode existing, HubNode hub, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var awaiting = tokens.Any(t => t.Site == existing.Name && t.UsedAt is null && t.PlaceholderKey == existing.PublicKey.Base64);
        if (!awaiting || request.PublicKey is not null)
            throw new ConfigEditException($"a site named '{request.Site}' already exists in {request.ConfigPath}; pick another name, or remove its entry first");
        var token = JoinToken.Create(JoinEndpointOf(request, hub), hub.PublicKey, existing.Name, now + request.TokenLifetime);
        var kept = tokens.Where(t => t.Site != existing.Name || t.UsedAt is not null).Append(Pending(token, existing.PublicKey, now));
        await store.SaveAsync(kept, now, cancellationToken);
        return new SiteAddResult(existing, token, Renewed: true);
    }

    private static PendingJoin Pending(JoinToken token, WireGuardKey placeholder, DateTimeOffset now) =>
        new(token.Id, Convert.ToBase64String(token.Secret), token.SiteName, placeholder.Base64, now, token.ExpiresAt);

    private static HostEndpoint JoinEndpointOf(SiteAddRequest request, HubNode hub) => request.JoinEndpoint ?? hub.Endpoint;
}
