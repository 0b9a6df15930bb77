using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads <c>hub_pair.vip_mover</c> and <c>hub_pair.provider_hook</c>, and checks that they go together.</summary>
internal static class ProviderHookReader
{
    public static readonly string[] Keys = ["command", "timeout", "check_interval"];

    /// <summary>A hook takes its own settings (a config file, a token file) and little else.</summary>
    private const int MaxCommandWords = 16;

    private const string CommandHint =
        "write the hook and its own arguments as a list, e.g. command: [/usr/share/keepwire/provider-hooks/hetzner-floating-ip, /etc/keepwire/hetzner.conf]; the hub appends the action and the VIPs";

    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinCheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxCheckInterval = TimeSpan.FromHours(1);

    private static readonly Dictionary<string, VipMover> MoverNames = new(StringComparer.Ordinal)
    {
        ["arp"] = VipMover.Arp,
        ["provider"] = VipMover.Provider,
    };

    /// <summary>The mover and, with <c>provider</c>, its hook; null after reporting errors.</summary>
    public static (VipMover Mover, ProviderHookSettings? Hook)? Read(MappingReader pair)
    {
        var errors = pair.Errors;
        var before = errors.Count;
        var mover = pair.Read("vip_mover", (VipMover?)VipMover.Arp, ReadMover);
        var hookNode = pair.Optional("provider_hook");
        var hook = hookNode is null ? null : ReadHook(hookNode, errors);

        if (mover == VipMover.Provider && hookNode is null)
        {
            errors.Report(pair.PositionOf("vip_mover"), "vip_mover: provider needs a provider_hook",
                "add provider_hook: { command: [/path/to/hook, …] } (see docs/provider-hooks.md), or use vip_mover: arp where the hubs share a layer-2 segment");
        }
        else if (mover == VipMover.Arp && hookNode is not null)
        {
            var where = pair.KeyNode("provider_hook") ?? hookNode;
            errors.Report(where, pair.Optional("vip_mover") is null
                    ? "provider_hook is only used with vip_mover: provider, and vip_mover is arp (the default)"
                    : "provider_hook is only used with vip_mover: provider, not arp",
                "add vip_mover: provider to hand the VIPs' routing to the hook, or remove provider_hook");
        }

        if (errors.Count > before || mover is not { } m)
            return null;
        return (m, m == VipMover.Provider ? hook : null);
    }

    private static VipMover? ReadMover(YamlNode node, string key, ConfigErrorSink errors)
    {
        if (YamlValues.String(node, key, errors) is not { } text)
            return null;
        if (MoverNames.TryGetValue(text, out var mover))
            return mover;
        errors.Report(node, $"unknown vip_mover '{text}'",
            "use arp (keepalived announces the VIPs on a shared layer-2 segment) or provider (the provider routes them; a provider_hook moves them)");
        return null;
    }

    private static ProviderHookSettings? ReadHook(YamlNode node, ConfigErrorSink errors)
    {
        if (MappingReader.Open(node, "provider_hook", Keys, errors) is not { } map)
            return null;
        var before = errors.Count;
        var command = ProgramCommandSyntax.Read(map, CommandHint, MaxCommandWords, "/usr/share/keepwire/provider-hooks/generic-http");
        var timeout = ReadBounded(map, "timeout", ProviderHookSettings.DefaultTimeout, MinTimeout, MaxTimeout, "100ms to 5m");
        var interval = ReadBounded(map, "check_interval", ProviderHookSettings.DefaultCheckInterval, MinCheckInterval, MaxCheckInterval, "1s to 1h");
        if (errors.Count > before || command is null || timeout is not { } t || interval is not { } i)
            return null;
        return new ProviderHookSettings(command, t, i);
    }

    private static TimeSpan? ReadBounded(MappingReader map, string key, TimeSpan absent, TimeSpan min, TimeSpan max, string range)
    {
        var value = map.Read<TimeSpan?>(key, absent, YamlValues.Duration);
        if (value is not { } v || (v >= min && v <= max))
            return value;
        map.Errors.Report(map.PositionOf(key), $"provider_hook {key} {(map.Optional(key) as YamlScalarNode)?.Value} is out of range", $"use a duration from {range}");
        return null;
    }
}
