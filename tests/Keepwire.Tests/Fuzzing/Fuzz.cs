using System.Text;
using CsCheck;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// Runs a fuzz property with CsCheck for <see cref="FuzzSettings.Seconds"/>: random inputs from the generator,
/// and on a failure the smallest failing input CsCheck can shrink to, with the seed that replays it
/// (<c>KEEPWIRE_FUZZ_SEED=… dotnet test …</c>, as for <see cref="FuzzBudget"/>).
/// </summary>
internal static class Fuzz
{
    /// <summary>Failure reports show at most this much of an input: a 1 MB input in a test log helps nobody.</summary>
    private const int PrintedChars = 2000;

    public static void Property<T>(Gen<T> inputs, Action<T> property, Func<T, string>? print = null) =>
        inputs.Sample(property, seed: FuzzBudget.Seed, time: FuzzSettings.Seconds, print: print ?? (input => Printable(input?.ToString() ?? "null")));

    public static void Property(Gen<byte[]> inputs, Action<byte[]> property) =>
        Property(inputs, property, bytes => $"{bytes.Length} bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, PrintedChars / 2)))}");

    /// <summary>The input with every non-printable character as \u{…}, cut to <see cref="PrintedChars"/>.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder($"{text.Length} chars: ");
        foreach (var c in text.Length > PrintedChars ? text[..PrintedChars] : text)
        {
            if (c is >= ' ' and <= '~')
                builder.Append(c);
            else
                builder.Append($"\\u{{{(int)c:X}}}");
        }

        return text.Length > PrintedChars ? builder.Append('…').ToString() : builder.ToString();
    }
}
