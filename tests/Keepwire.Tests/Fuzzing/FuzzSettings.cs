using System.Globalization;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// How long each fuzz property runs. The unit suite runs every property for a few seconds so it stays fast;
/// <c>scripts/fuzz --seconds 600</c> sets <see cref="SecondsVariable"/> to run them for as long as asked.
/// </summary>
internal static class FuzzSettings
{
    public const string SecondsVariable = "KEEPWIRE_FUZZ_SECONDS";

    /// <summary>Long enough for thousands of inputs per property, short enough that the suite does not notice.</summary>
    public const int DefaultSeconds = 2;

    /// <summary>
    /// How long one input may take before it counts as a hang. Generous: the machine is shared, and a parser
    /// that is slow on some input is a finding only when it is slow by orders of magnitude.
    /// </summary>
    public static readonly TimeSpan InputTimeLimit = TimeSpan.FromSeconds(20);

    /// <summary>The stack a parser gets in <see cref="Bounded"/>: a depth limit must hold well inside it.</summary>
    public const int SmallStackBytes = 256 * 1024;

    public static int Seconds =>
        int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : DefaultSeconds;
}
