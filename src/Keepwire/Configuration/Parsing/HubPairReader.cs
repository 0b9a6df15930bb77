using Keepwire.Model;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Reads the top-level <c>hub_pair:</c> mapping; every key is optional.</summary>
internal static class HubPairReader
{
    public static readonly string[] Keys = ["virtual_router_id", "advert_interval", "sync_port", "peer_timeout", "conntrackd", "vip_mover", "provider_hook"];

    /// <summary>VRRPv3 carries the advert interval in centiseconds, in 12 bits (up to 40.95 s).</summary>
    private static readonly TimeSpan AdvertGranularity = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan MaxAdvertInterval = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The peer must survive a lost sync message now and then without looking gone, so its timeout spans
    /// at least this many adverts.
    /// </summary>
    private const int MinAdvertsPerPeerTimeout = 3;

    /// <summary>Null when the file has no hub_pair key.</summary>
    public static HubPairDraft? Read(MappingReader top)
    {
        if (top.KeyNode("hub_pair") is not { } keyNode)
            return null;
        // 'hub_pair:' with nothing after it counts as absent values: every default.
        if (top.Optional("hub_pair") is not { } node)
            return new HubPairDraft(keyNode, keyNode, HubPairSettings.Default);
        if (MappingReader.Open(node, "hub_pair", Keys, top.Errors) is not { } map)
            return new HubPairDraft(keyNode, node, null);

        var errors = map.Errors;
        var before = errors.Count;
        var routerId = map.OptionalInteger("virtual_router_id", HubPairSettings.DefaultVirtualRouterId, 1, 255);
        var advert = map.Read<TimeSpan?>("advert_interval", HubPairSettings.DefaultAdvertInterval, YamlValues.Duration);
        var syncPort = map.OptionalInteger("sync_port", HubPairSettings.DefaultSyncPort, 1, 65535);
        var peerTimeout = map.Read<TimeSpan?>("peer_timeout", HubPairSettings.DefaultPeerTimeout, YamlValues.Duration);
        var conntrackd = map.Read<bool?>("conntrackd", false, YamlValues.Boolean);
        var mover = ProviderHookReader.Read(map);

        if (advert is { } interval && !CheckAdvertInterval(map, interval))
            advert = null;
        if (advert is { } checkedInterval && peerTimeout is { } timeout)
            CheckPeerTimeout(map, checkedInterval, timeout);
        if (syncPort == Reports.SiteReport.Port)
        {
            errors.Report(map.PositionOf("sync_port"), $"sync_port {syncPort} is the port sites send their reports to",
                $"pick another UDP port, e.g. {HubPairSettings.DefaultSyncPort}");
        }

        var settings = errors.Count == before && routerId is { } id && advert is { } a && syncPort is { } port && peerTimeout is { } p && conntrackd is { } c && mover is { } moved
            ? new HubPairSettings(id, a, port, p, c) { VipMover = moved.Mover, ProviderHook = moved.Hook }
            : null;
        return new HubPairDraft(keyNode, map.PositionOf("sync_port"), settings);
    }

    private static bool CheckAdvertInterval(MappingReader map, TimeSpan interval)
    {
        if (map.Optional("advert_interval") is not YamlScalarNode { Value: { } text } node)
            return true;
        if (interval < AdvertGranularity || interval > MaxAdvertInterval)
        {
            map.Errors.Report(node, $"advert_interval {text} is out of range", "use a duration from 10ms to 40s");
            return false;
        }

        if (interval.Ticks % AdvertGranularity.Ticks != 0)
        {
            var down = interval.Ticks / AdvertGranularity.Ticks * 10;
            map.Errors.Report(node, $"advert_interval {text} is not a multiple of 10ms",
                $"VRRPv3 counts adverts in hundredths of a second: use {down}ms or {down + 10}ms");
            return false;
        }

        return true;
    }

    private static void CheckPeerTimeout(MappingReader map, TimeSpan advertInterval, TimeSpan timeout)
    {
        var minimum = advertInterval * MinAdvertsPerPeerTimeout;
        if (timeout >= minimum)
            return;
        var timeoutText = (map.Optional("peer_timeout") as YamlScalarNode)?.Value ?? $"{DurationSyntax.Format(HubPairSettings.DefaultPeerTimeout)} (the default)";
        var position = map.Optional("peer_timeout") ?? map.PositionOf("advert_interval");
        map.Errors.Report(position, $"peer_timeout {timeoutText} is shorter than {MinAdvertsPerPeerTimeout} × advert_interval ({DurationSyntax.Format(minimum)})",
            $"a lost sync message must not make the peer hub look gone: set peer_timeout to at least {DurationSyntax.Format(minimum)}");
    }
}
