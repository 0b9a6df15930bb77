using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Reads the top-level <c>liveness:</c> mapping: the hub's per-site liveness stream (<see cref="LivenessSettings"/>).
/// Absent: on, with the defaults.
/// </summary>
internal static class LivenessReader
{
    public static readonly string[] Keys = ["enabled", "interval", "multiplier"];

    public static LivenessSettings Read(MappingReader top)
    {
        var defaults = LivenessSettings.Default;
        if (top.Optional("liveness") is not { } node)
            return defaults;
        if (MappingReader.Open(node, "liveness", Keys, top.Errors) is not { } map)
            return defaults;
        var enabled = map.Read("enabled", defaults.Enabled, (n, k, e) => YamlValues.Boolean(n, k, e) ?? defaults.Enabled);
        var interval = map.Read("interval", defaults.Interval, (n, k, e) => YamlValues.Duration(n, k, e) ?? defaults.Interval);
        var multiplier = map.Read("multiplier", defaults.Multiplier, (n, k, e) => YamlValues.Integer(n, k, LivenessSettings.MinMultiplier, LivenessSettings.MaxMultiplier, e) ?? defaults.Multiplier);
        if (!map.FailedKeys.Contains("interval") && (interval < LivenessSettings.MinInterval || interval > LivenessSettings.MaxInterval))
            map.Errors.Report(map.PositionOf("interval"),
                $"liveness interval {interval.TotalMilliseconds:0} ms is outside {LivenessSettings.MinInterval.TotalMilliseconds:0} ms to {LivenessSettings.MaxInterval.TotalSeconds:0} s",
                $"write a duration such as 50ms (the default): a lost site is found after interval × multiplier ({LivenessSettings.DefaultMultiplier} by default)");
        return new LivenessSettings(enabled, interval, multiplier);
    }
}
