using System.Globalization;
using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads one entry of a service's <c>checks:</c> into a validated <see cref="CheckDefinition"/>.</summary>
internal static class CheckReader
{
    public static readonly string[] Keys =
        ["name", "type", "port", "path", "host", "expect_status", "expect_body", "payload", "expect", "command", "interval", "fast_interval", "timeout", "rise", "fall", "attempts"];

    private const string TypeHint = "use http, tcp, udp or exec";

    private static readonly string[] CommonKeys = ["name", "type", "interval", "fast_interval", "timeout", "rise", "fall"];

    private static readonly Dictionary<CheckKind, string[]> KindKeys = new()
    {
        // An exec check always makes one attempt, so `attempts` on it is an error rather than ignored.
        [CheckKind.Http] = ["port", "path", "host", "expect_status", "expect_body", "attempts"],
        [CheckKind.Tcp] = ["port", "attempts"],
        [CheckKind.Udp] = ["port", "payload", "expect", "attempts"],
        [CheckKind.Exec] = ["command"],
    };

    /// <summary>The check and where its name is (or would be) written, for duplicate-name errors; null after reporting errors.</summary>
    public static (CheckDefinition Check, YamlNode NamePosition)? Read(YamlNode node, ServiceDraft service, ConfigErrorSink errors)
    {
        var before = errors.Count;
        if (MappingReader.Open(node, "check", Keys, errors) is not { } map)
            return null;
        if (ReadKind(map) is not { } kind)
            return null;
        ReportKeysOfOtherKinds(map, kind);

        var name = map.Read("name", TypeName(kind), ReadName);
        var port = ReadPort(map, kind, service);
        var status = map.Read("expect_status", ((int Min, int Max)?)null, ReadStatusRange);
        // Absent and invalid values alike fall back to the core's defaults, so Validate() below only
        // speaks about values that parsed (invalid ones are in FailedKeys and already reported).
        var defaults = new CheckDefinition(name ?? TypeName(kind), kind);
        var check = defaults with
        {
            Interval = map.Read("interval", defaults.Interval, YamlValues.Duration) ?? defaults.Interval,
            Timeout = map.Read("timeout", defaults.Timeout, YamlValues.Duration) ?? defaults.Timeout,
            Rise = map.Read("rise", defaults.Rise, YamlValues.WholeNumber) ?? defaults.Rise,
            Fall = map.Read("fall", defaults.Fall, YamlValues.WholeNumber) ?? defaults.Fall,
            Port = port,
            Path = map.Read("path", defaults.Path, ReadHttpText(HttpSyntax.CheckPath)) ?? defaults.Path,
            Host = map.Read("host", defaults.Host, ReadHttpText(HttpSyntax.CheckHost)),
            StatusMin = status?.Min ?? defaults.StatusMin,
            StatusMax = status?.Max ?? defaults.StatusMax,
            BodyContains = map.Read("expect_body", defaults.BodyContains, YamlValues.ExactText),
            UdpPayload = map.Read("payload", defaults.UdpPayload, YamlValues.ExactText) ?? defaults.UdpPayload,
            UdpExpect = map.Read("expect", defaults.UdpExpect, YamlValues.ExactText),
            Command = map.Read("command", defaults.Command, ReadCommand) ?? defaults.Command,
        };

        // Unless written, the fast interval follows the interval (the shorter of it and the default).
        if (map.Read("fast_interval", (TimeSpan?)null, YamlValues.Duration) is { } fastInterval)
            check = check with { FastInterval = fastInterval };

        // Only a written value replaces the default: an exec check reports its attempts as 1 whatever is
        // stored, so copying that back would make it differ from a freshly made exec check.
        if (map.Read("attempts", (int?)null, YamlValues.WholeNumber) is { } attempts)
            check = check with { Attempts = attempts };

        // A port that could not be defaulted is already reported (with a better hint than the core's), or
        // the service's ports are broken and reported; either way the core's "needs a port" would repeat it.
        var portUnresolved = map.Optional("port") is null && port is null && kind is CheckKind.Tcp or CheckKind.Udp;
        if (portUnresolved)
            return null;
        CoreValidation.Report(map, check.Validate(), $"check {check.Name}: ", CoreValidation.CheckPhrases);
        return errors.Count == before ? (check, map.PositionOf("name")) : null;
    }

    public static string TypeName(CheckKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>"an http", "a tcp": the article follows how the type is spoken ("aitch-tee-tee-pee").</summary>
    private static string WithArticle(CheckKind kind) => (kind is CheckKind.Http or CheckKind.Exec ? "an " : "a ") + TypeName(kind);

    private static CheckKind? ReadKind(MappingReader map)
    {
        if (map.RequiredString("type", "add type: http, tcp, udp or exec") is not { } text)
            return null;
        var kinds = Enum.GetValues<CheckKind>();
        foreach (var kind in kinds)
        {
            if (TypeName(kind) == text)
                return kind;
        }

        var suggestion = KeySuggestions.Closest(text, kinds.Select(TypeName));
        map.Errors.Report(map.PositionOf("type"), $"unknown check type '{text}'", suggestion is null ? TypeHint : $"did you mean '{suggestion}'? {TypeHint}");
        return null;
    }

    private static void ReportKeysOfOtherKinds(MappingReader map, CheckKind kind)
    {
        foreach (var (key, keyNode) in map.PresentKeys)
        {
            if (CommonKeys.Contains(key) || KindKeys[kind].Contains(key))
                continue;
            var owners = KindKeys.Where(k => k.Value.Contains(key)).Select(k => TypeName(k.Key)).ToList();
            var ownerList = owners.Count == 1 ? owners[0] : $"{string.Join(", ", owners[..^1])} and {owners[^1]}";
            map.Errors.Report(keyNode, $"'{key}' does not apply to {WithArticle(kind)} check", $"'{key}' is for {ownerList} checks; remove it");
        }
    }

    private static string? ReadName(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (YamlValues.String(node, key, errors) is not { } name)
            return null;
        return CommonFields.Report(errors, node, NameSyntax.CheckName(name)) ? null : name;
    }

    /// <summary>
    /// The port written, else the one the service's own ports suggest: an HTTP check probes the backend port
    /// of the first TCP port (else 80), TCP and UDP checks that of the first port of their protocol.
    /// </summary>
    private static int? ReadPort(MappingReader map, CheckKind kind, ServiceDraft service)
    {
        if (map.Optional("port") is not null)
            return map.Read("port", null, YamlValues.WholeNumber);
        if (kind == CheckKind.Exec)
            return null;
        var protocol = kind == CheckKind.Udp ? TransportProtocol.Udp : TransportProtocol.Tcp;
        var first = service.Ports.FirstOrDefault(p => p.Value.Protocol == protocol)?.Value.TargetPort;
        if (first is not null || kind == CheckKind.Http)
            return first ?? 80;

        // Without valid ports the service is already in error; a default port cannot be guessed.
        if (service.PortsValid)
        {
            map.Errors.Report(map.PositionOf("type"), $"{WithArticle(kind)} check needs a port, and {service.DisplayName} has no {TypeName(kind)} port to default to",
                "add port: <the port the site listens on> to the check");
        }

        return null;
    }

    /// <summary>Text that goes into every probe's request as it is, so it is checked here rather than failing each probe.</summary>
    private static Func<YamlNode, string, ConfigErrorSink, string?> ReadHttpText(Func<string, Problem?> check) => (node, key, errors) =>
    {
        if (YamlValues.String(node, key, errors) is not { } text)
            return null;
        return CommonFields.Report(errors, node, check(text)) ? null : text;
    };

    private static (int Min, int Max)? ReadStatusRange(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (YamlValues.String(node, key, errors) is not { } text)
            return null;
        var dash = text.IndexOf('-');
        var (first, last) = dash < 0 ? (text, text) : (text[..dash], text[(dash + 1)..]);
        if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var max))
        {
            return (min, max);
        }

        errors.Report(node, $"{key} '{text}' is not a status or a range of statuses", "write a status like 200 or a range like 200-399");
        return null;
    }

    private static IReadOnlyList<string>? ReadCommand(YamlNode node, string key, ConfigErrorSink errors)
    {
        const string hint = "write the program and its arguments as a list, e.g. command: [\"/usr/local/bin/check-db\", \"--replica\"]; it runs without a shell";
        if (YamlValues.Sequence(node, key, errors, hint) is not { } items)
            return null;
        var before = errors.Count;
        var command = items.Select(item => YamlValues.ExactText(item, "a command argument", errors)).OfType<string>().ToList();
        return errors.Count == before ? command : null;
    }
}
