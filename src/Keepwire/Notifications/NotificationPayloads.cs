using System.Globalization;
using System.Text;
using System.Text.Json;
using Keepwire.Hub;
using Keepwire.Model;

namespace Keepwire.Notifications;

/// <summary>
/// What each kind of receiver gets for an event, pure: the generic webhook's JSON document (signed when it has
/// a secret), ntfy's text with title, tags and priority, Discord's and Slack's message JSON, and the environment
/// an <c>exec</c> receiver runs with. Field names are documented in docs/notifications.md and stay stable.
/// </summary>
public static class NotificationPayloads
{
    /// <summary>Discord refuses a message content longer than this.</summary>
    private const int DiscordMaxContent = 2000;

    /// <summary>Environment values are cut here: a detail can be long, and an environment has a size limit.</summary>
    private const int MaxEnvironmentValue = 4096;

    private const string Json = "application/json";

    /// <summary>The request for an HTTP receiver; <paramref name="secret"/> signs a webhook's.</summary>
    public static NotificationRequest Request(NotifyTarget target, HubEvent hubEvent, string? secret, DateTimeOffset now) => target.Kind switch
    {
        NotifyKind.Webhook => Webhook(target.Url!, hubEvent, secret, now),
        NotifyKind.Ntfy => Ntfy(target.Url!, hubEvent),
        NotifyKind.Discord => new(target.Url!, Message("content", Truncate(hubEvent.Summary, DiscordMaxContent)), Json, []),
        NotifyKind.Slack => new(target.Url!, Message("text", hubEvent.Summary), Json, []),
        _ => throw new ArgumentException($"{target.Kind} is not sent over HTTP", nameof(target)),
    };

    /// <summary>The generic webhook's document: every field of the event, snake_case, nulls left out.</summary>
    public static byte[] Document(HubEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", e.KindName);
            json.WriteString("time", e.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("hub", e.Hub);
            json.WriteString("summary", e.Summary);
            WriteIf(json, "service", e.Service);
            WriteIf(json, "from", e.From);
            WriteIf(json, "to", e.To);
            WriteIf(json, "reason", e.Reason);
            if (e.Planned is { } planned)
                json.WriteBoolean("planned", planned);
            if (e.DurationMilliseconds is { } ms)
                json.WriteNumber("duration_ms", ms);
            WriteIf(json, "site", e.Site);
            WriteIf(json, "role", e.Role);
            WriteIf(json, "detail", e.Detail);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>For <c>exec</c>: KEEPWIRE_EVENT, KEEPWIRE_TIME, KEEPWIRE_HUB, KEEPWIRE_SUMMARY and the event's other fields that are set.</summary>
    public static IReadOnlyDictionary<string, string> Environment(HubEvent e)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KEEPWIRE_EVENT"] = e.KindName,
            ["KEEPWIRE_TIME"] = e.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["KEEPWIRE_HUB"] = e.Hub,
            ["KEEPWIRE_SUMMARY"] = e.Summary,
        };
        void Add(string name, string? value)
        {
            if (value is not null)
                variables[name] = Truncate(value, MaxEnvironmentValue);
        }

        Add("KEEPWIRE_SERVICE", e.Service);
        Add("KEEPWIRE_FROM", e.From);
        Add("KEEPWIRE_TO", e.To);
        Add("KEEPWIRE_REASON", e.Reason);
        Add("KEEPWIRE_PLANNED", e.Planned is { } planned ? (planned ? "true" : "false") : null);
        Add("KEEPWIRE_DURATION_MS", e.DurationMilliseconds?.ToString(CultureInfo.InvariantCulture));
        Add("KEEPWIRE_SITE", e.Site);
        Add("KEEPWIRE_ROLE", e.Role);
        Add("KEEPWIRE_DETAIL", e.Detail);
        return variables;
    }

    private static NotificationRequest Webhook(Uri url, HubEvent e, string? secret, DateTimeOffset now)
    {
        var body = Document(e);
        if (secret is null)
            return new(url, body, Json, []);
        var timestamp = now.ToUnixTimeSeconds();
        return new(url, body, Json,
        [
            new(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture)),
            new(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body)),
        ]);
    }

    /// <summary>ntfy takes the message as the body and the rest as headers (https://docs.ntfy.sh/publish/).</summary>
    private static NotificationRequest Ntfy(Uri url, HubEvent e)
    {
        var (title, tags, priority) = e.Kind switch
        {
            HubEventKind.Switch when e.Planned == false => ($"Keepwire: {e.Service} failed over to {e.To ?? "no site"}", "warning", "4"),
            HubEventKind.Switch => ($"Keepwire: {e.Service} moved to {e.To ?? "no site"}", "arrows_counterclockwise", "3"),
            HubEventKind.SiteDown => ($"Keepwire: site {e.Site} is down", "rotating_light", "4"),
            HubEventKind.SiteUp => ($"Keepwire: site {e.Site} is up", "white_check_mark", "3"),
            HubEventKind.RoleChanged => ($"Keepwire: hub {e.Hub} {(e.Role == "decide" ? "decides" : "follows")}", "twisted_rightwards_arrows", "3"),
            _ => ($"Keepwire: reload rejected on {e.Hub}", "x", "4"),
        };
        // HTTP header values are Latin-1 at best: ntfy reads RFC 2047 encoded words for anything else.
        return new(url, Encoding.UTF8.GetBytes(e.Summary), "text/plain; charset=utf-8",
        [
            new("Title", HeaderSafe(title)),
            new("Tags", tags),
            new("Priority", priority),
        ]);
    }

    private static byte[] Message(string field, string text)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString(field, text);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
            json.WriteString(name, value);
    }

    private static string HeaderSafe(string text) =>
        text.All(c => c is >= ' ' and <= '~') ? text : $"=?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes(text))}?=";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
