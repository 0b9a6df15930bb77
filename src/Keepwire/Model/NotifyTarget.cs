namespace Keepwire.Model;

/// <summary>How a notification reaches its receiver: the payload's shape and the way it is sent.</summary>
public enum NotifyKind
{
    /// <summary>A JSON document POSTed to a URL, signed with HMAC-SHA256 when a secret is given.</summary>
    Webhook,

    /// <summary>Plain text POSTed to an ntfy topic URL, with a title, tags and a priority.</summary>
    Ntfy,

    /// <summary>A Discord webhook (<c>{"content": …}</c>).</summary>
    Discord,

    /// <summary>A Slack incoming webhook, also understood by Mattermost and Rocket.Chat (<c>{"text": …}</c>).</summary>
    Slack,

    /// <summary>A program run with the event in its environment, no shell.</summary>
    Exec,
}

/// <summary>What the hub tells receivers about.</summary>
public enum HubEventKind
{
    /// <summary>A service's serving site changed: a failover (with how long it took) or a planned move.</summary>
    Switch,

    /// <summary>A site's checks stopped passing (as <c>keepwire status</c> counts it).</summary>
    SiteDown,

    /// <summary>A site that was down passes its checks again.</summary>
    SiteUp,

    /// <summary>In a hub pair: this hub started or stopped deciding (it leads, or follows the other hub).</summary>
    RoleChanged,

    /// <summary>A reload found a bad configuration and was refused; the hub runs on with the previous one.</summary>
    ReloadRejected,
}

/// <summary>One receiver of the hub's notifications (<c>notify:</c> in the config).</summary>
/// <param name="Origin">Where it is defined, "file:line", for errors about it found after loading (its secret file).</param>
/// <param name="Url">Where to POST; null for <see cref="NotifyKind.Exec"/>.</param>
/// <param name="Command">The program and its arguments for <see cref="NotifyKind.Exec"/>; empty otherwise.</param>
/// <param name="SecretFile">A 0600 file holding the webhook's HMAC secret (absolute path); null: unsigned.</param>
/// <param name="Events">The kinds of events this receiver gets.</param>
/// <param name="Timeout">How long one attempt may take before it counts as failed.</param>
/// <param name="Retries">Attempts after the first one failed, with growing pauses between them.</param>
public sealed record NotifyTarget(
    string Origin,
    NotifyKind Kind,
    Uri? Url,
    IReadOnlyList<string> Command,
    string? SecretFile,
    IReadOnlySet<HubEventKind> Events,
    TimeSpan Timeout,
    int Retries)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;

    /// <summary>What logs call it: the URL without its path and query (a webhook URL's path is often its secret), or the program.</summary>
    public string Name => Url is { } url ? $"{Kind.ToString().ToLowerInvariant()} {url.GetLeftPart(UriPartial.Authority)}" : $"exec {Command[0]}";
}
