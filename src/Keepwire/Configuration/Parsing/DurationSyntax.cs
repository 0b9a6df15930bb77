using System.Globalization;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Parses durations written with a unit: <c>200ms</c>, <c>1.5s</c>, <c>5s</c>, <c>1m</c>, <c>1h</c>. A bare
/// number is refused: <c>interval: 200</c> could mean milliseconds or seconds, and guessing wrong is a
/// factor of a thousand. Negative values parse, so the range rules of the decision core report them.
/// </summary>
internal static class DurationSyntax
{
    private const string Forms = "write a number with a unit: ms, s, m or h, e.g. 200ms, 1.5s, 5s, 1m";

    private static readonly (string Suffix, long TicksPerUnit)[] Units =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public static TimeSpan? Parse(string text, string key, out Problem? problem)
    {
        problem = null;
        if (IsNumber(text))
        {
            problem = new Problem($"{key} '{text}' has no unit", $"add one: {text}ms or {text}s");
            return null;
        }

        // "ms" is tested before "s" and "m", so the longest matching suffix wins.
        foreach (var (suffix, ticksPerUnit) in Units)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal) || !IsNumber(text[..^suffix.Length]))
                continue;
            var value = decimal.Parse(text[..^suffix.Length], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var ticks = value * ticksPerUnit;
            if (Math.Abs(ticks) > TimeSpan.FromDays(365).Ticks)
            {
                problem = new Problem($"{key} '{text}' is longer than a year", Forms);
                return null;
            }

            return TimeSpan.FromTicks((long)Math.Round(ticks));
        }

        problem = new Problem($"{key} '{text}' is not a duration", Forms);
        return null;
    }

    /// <summary>The shortest form this parser reads back: whole seconds as <c>3s</c>, anything else in milliseconds.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerSecond == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{duration.Ticks / TimeSpan.TicksPerSecond}s")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.####}ms");

    /// <summary>An optional '-', digits, and at most one decimal point followed by digits; no exponent, no spaces.</summary>
    private static bool IsNumber(string text)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        var dot = digits.IndexOf('.');
        var whole = dot < 0 ? digits : digits[..dot];
        var fraction = dot < 0 ? "0" : digits[(dot + 1)..];
        return whole.Length is > 0 and <= 12 && fraction.Length is > 0 and <= 12
            && whole.All(char.IsAsciiDigit) && fraction.All(char.IsAsciiDigit);
    }
}
