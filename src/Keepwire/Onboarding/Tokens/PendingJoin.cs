namespace Keepwire.Onboarding.Tokens;

/// <summary>
/// The hub's record of a join token it issued. The site was written into the configuration with
/// <see cref="PlaceholderKey"/>, a public key whose private half was thrown away, so nobody can use the site's
/// tunnel before it joins; a join replaces it with the site's own key and marks the token used.
/// </summary>
/// <param name="Secret">Base64 of the token's one-time secret (the store file is mode 0600).</param>
public sealed record PendingJoin(string Id, string Secret, string Site, string PlaceholderKey, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public DateTimeOffset? UsedAt { get; init; }

    /// <summary>The public key the site registered with it.</summary>
    public string? UsedBy { get; init; }

    public bool IsUsable(DateTimeOffset now) => UsedAt is null && now < ExpiresAt;

    /// <summary>
    /// Usable, or used or expired less than <paramref name="window"/> ago: a site that repeats a join or comes
    /// late should hear why it is refused, not find the port closed.
    /// </summary>
    public bool IsAnswerable(DateTimeOffset now, TimeSpan window) => IsUsable(now) || (UsedAt ?? ExpiresAt) > now - window;
}
