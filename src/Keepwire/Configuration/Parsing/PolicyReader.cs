using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads a service's <c>policy</c> and failover keys (keepalived's words where it has them: preempt, preempt_delay).</summary>
internal static class PolicyReader
{
    public static readonly string[] Keys = ["policy", "preempt", "preempt_delay", "hold_down", "startup_grace", "no_healthy_site", "last_resort"];

    private const string KeepLast = "keep_last";
    private const string LastResort = "last_resort";

    public static void Read(MappingReader map, ServiceDraft service)
    {
        var before = map.Errors.Count;
        service.Policy = map.Read("policy", ServicePolicy.Failover, ReadPolicy);
        var defaults = FailoverPolicyOptions.Default;
        var lastResort = ReadNoHealthySite(map, service);
        var options = new FailoverPolicyOptions(
            map.Read("preempt", defaults.Preempt, YamlValues.Boolean) ?? defaults.Preempt,
            map.Read("preempt_delay", defaults.PreemptDelay, YamlValues.Duration) ?? defaults.PreemptDelay,
            map.Read("hold_down", defaults.HoldDown, YamlValues.Duration) ?? defaults.HoldDown,
            map.Read("startup_grace", defaults.StartupGrace, YamlValues.Duration) ?? defaults.StartupGrace,
            lastResort is null ? NoHealthySiteBehavior.KeepLast : NoHealthySiteBehavior.LastResort(lastResort));
        CoreValidation.Report(map, options.Validate(), "", CoreValidation.PolicyPhrases, message => $"{service.DisplayName}: {message}");
        service.Failover = map.Errors.Count == before ? options : null;
    }

    private static ServicePolicy? ReadPolicy(YamlNode node, string key, ConfigErrorSink errors)
    {
        switch (YamlValues.String(node, key, errors))
        {
            case null:
                return null;
            case "failover":
                return ServicePolicy.Failover;
            case "manual":
                return ServicePolicy.Manual;
            case var text:
                errors.Report(node, $"unknown policy '{text}'",
                    "use 'failover' (the hub switches automatically, the default) or 'manual' (cold standby: only 'keepwire failover' moves the service)");
                return null;
        }
    }

    /// <summary>The last-resort site, or null for keep_last (also after an error, which is then reported).</summary>
    private static string? ReadNoHealthySite(MappingReader map, ServiceDraft service)
    {
        var behavior = map.Read("no_healthy_site", KeepLast, static (node, key, errors) =>
        {
            var text = YamlValues.String(node, key, errors);
            if (text is null or KeepLast or LastResort)
                return text;
            errors.Report(node, $"unknown no_healthy_site '{text}'",
                "use 'keep_last' (keep forwarding to the site that served last, the default) or 'last_resort' (forward to the site named by last_resort)");
            return null;
        });
        var site = map.Read("last_resort", null, YamlValues.String);
        if (behavior is null || map.FailedKeys.Contains("last_resort"))
            return null;

        var siteNames = service.Sites.Select(s => s.Value).ToList();
        if (behavior == KeepLast)
        {
            if (site is not null)
            {
                map.Errors.Report(map.PositionOf("last_resort"), "last_resort is only used with no_healthy_site: last_resort",
                    "add no_healthy_site: last_resort, or remove last_resort");
            }

            return null;
        }

        if (site is null)
        {
            var choices = siteNames.Count > 0 ? $"one of {string.Join(", ", siteNames)}" : "one of the service's sites";
            map.Errors.Report(map.PositionOf("no_healthy_site"), "no_healthy_site: last_resort needs a last_resort site", $"add last_resort: <{choices}>");
            return null;
        }

        if (siteNames.Count > 0 && !siteNames.Contains(site))
        {
            var suggestion = KeySuggestions.Closest(site, siteNames);
            map.Errors.Report(map.PositionOf("last_resort"), $"last_resort '{site}' is not one of the sites of {service.DisplayName}",
                suggestion is null ? $"use one of {string.Join(", ", siteNames)}" : $"did you mean '{suggestion}'?");
            return null;
        }

        return site;
    }
}
