using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads the top-level <c>notify:</c> list: the receivers of the hub's notifications.</summary>
internal static class NotifyReader
{
    public static readonly string[] Keys = ["type", "url", "command", "secret_file", "events", "timeout", "retries"];

    /// <summary>More receivers than this is a mistake, and each one costs a queue and a sender.</summary>
    public const int MaxTargets = 16;

    /// <summary>A program's argument list for <c>exec</c>; far above what a notification script takes.</summary>
    private const int MaxCommandWords = 32;

    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, NotifyKind> KindNames = new(StringComparer.Ordinal)
    {
        ["webhook"] = NotifyKind.Webhook,
        ["ntfy"] = NotifyKind.Ntfy,
        ["discord"] = NotifyKind.Discord,
        ["slack"] = NotifyKind.Slack,
        ["exec"] = NotifyKind.Exec,
    };

    /// <summary>The names of the event kinds as written in <c>events:</c>, payloads and environment variables.</summary>
    public static readonly IReadOnlyDictionary<string, HubEventKind> EventNames = new Dictionary<string, HubEventKind>(StringComparer.Ordinal)
    {
        ["switch"] = HubEventKind.Switch,
        ["site_down"] = HubEventKind.SiteDown,
        ["site_up"] = HubEventKind.SiteUp,
        ["role_changed"] = HubEventKind.RoleChanged,
        ["reload_rejected"] = HubEventKind.ReloadRejected,
    };

    public static IReadOnlyList<NotifyTarget> Read(MappingReader top, string baseDirectory)
    {
        if (top.Optional("notify") is not { } node
            || YamlValues.Sequence(node, "notify", top.Errors, "write 'notify:' followed by '- { type: webhook, url: … }' entries") is not { } items)
            return [];
        if (items.Count > MaxTargets)
        {
            top.Errors.Report(node, $"notify lists {items.Count} receivers, more than the {MaxTargets} allowed", "send to one relay (a webhook or a script) that fans out");
            return [];
        }

        return [.. items.Select(item => ReadTarget(item, top.Errors, baseDirectory)).OfType<NotifyTarget>()];
    }

    private static NotifyTarget? ReadTarget(YamlNode node, ConfigErrorSink errors, string baseDirectory)
    {
        if (MappingReader.Open(node, "notify entry", Keys, errors) is not { } map)
            return null;
        var before = errors.Count;
        var kind = Kind(map);
        var url = kind is null or NotifyKind.Exec ? null : Url(map);
        var command = kind == NotifyKind.Exec ? Command(map) : [];
        if (kind is { } k && k != NotifyKind.Exec && map.Optional("command") is { } strayCommand)
            errors.Report(strayCommand, $"command is for type exec, not {Name(k)}", "remove it, or use type: exec without url");
        if (kind == NotifyKind.Exec && map.Optional("url") is { } strayUrl)
            errors.Report(strayUrl, "url is not for type exec", "remove it: exec runs command");
        var secretFile = SecretFile(map, kind, baseDirectory);
        var events = Events(map);
        var timeout = map.Read<TimeSpan?>("timeout", NotifyTarget.DefaultTimeout, YamlValues.Duration);
        if (timeout is { } t && (t < MinTimeout || t > MaxTimeout))
        {
            errors.Report(map.PositionOf("timeout"), $"timeout {(map.Optional("timeout") as YamlScalarNode)?.Value} is out of range", "use a duration from 100ms to 60s");
            timeout = null;
        }
        var retries = map.OptionalInteger("retries", NotifyTarget.DefaultRetries, 0, 10);

        if (errors.Count > before || kind is not { } kindValue || events is null || timeout is not { } timeoutValue || retries is not { } retriesValue)
            return null;
        return new NotifyTarget($"{errors.File}:{node.Start.Line}", kindValue, url, command, secretFile, events, timeoutValue, retriesValue);
    }

    private static NotifyKind? Kind(MappingReader map)
    {
        var kinds = string.Join(", ", KindNames.Keys);
        if (map.RequiredString("type", $"add 'type:' ({kinds})") is not { } text)
            return null;
        if (KindNames.TryGetValue(text, out var kind))
            return kind;
        map.Errors.Report(map.PositionOf("type"), $"unknown notify type '{text}'", $"use one of: {kinds}");
        return null;
    }

    private static Uri? Url(MappingReader map)
    {
        if (map.RequiredString("url", "add 'url: https://…', where the receiver takes POST requests") is not { } text)
            return null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp) && url.UserInfo.Length == 0)
            return url;
        map.Errors.Report(map.PositionOf("url"), "url must be an absolute http:// or https:// URL without user:password@",
            "write the receiver's full URL, e.g. https://ntfy.sh/my-topic; put a secret in secret_file, not in the URL's user part");
        return null;
    }

    private static IReadOnlyList<string> Command(MappingReader map) =>
        ProgramCommandSyntax.Read(map, "write the program and its arguments as a list: command: [/usr/local/bin/page-me, --urgent] (no shell: the event is in the environment)", MaxCommandWords, "/usr/local/bin/page-me") ?? [];

    private static string? SecretFile(MappingReader map, NotifyKind? kind, string baseDirectory)
    {
        if (map.Optional("secret_file") is not { } node)
            return null;
        if (kind is { } k && k != NotifyKind.Webhook)
        {
            map.Errors.Report(node, $"secret_file signs webhook requests; type {Name(k)} does not use it", "remove it, or use type: webhook");
            return null;
        }

        return YamlValues.String(node, "secret_file", map.Errors) is { } path ? Path.GetFullPath(path, baseDirectory) : null;
    }

    private static IReadOnlySet<HubEventKind>? Events(MappingReader map)
    {
        var names = string.Join(", ", EventNames.Keys);
        var hint = $"list some of: {names} (without 'events', all of them)";
        if (map.Optional("events") is not { } node)
            return EventNames.Values.ToHashSet();
        if (YamlValues.Sequence(node, "events", map.Errors, hint) is not { } items)
            return null;
        if (items.Count == 0)
        {
            map.Errors.Report(node, "events is empty: this receiver would never hear anything", hint);
            return null;
        }

        var events = new HashSet<HubEventKind>();
        var ok = true;
        foreach (var item in items)
        {
            if (YamlValues.String(item, "events", map.Errors) is not { } text)
                ok = false;
            else if (EventNames.TryGetValue(text, out var kind))
                events.Add(kind);
            else
            {
                map.Errors.Report(item, $"unknown event '{text}'", hint);
                ok = false;
            }
        }

        return ok ? events : null;
    }

    private static string Name(NotifyKind kind) => KindNames.First(k => k.Value == kind).Key;
}
