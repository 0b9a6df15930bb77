using System.Buffers;
using System.Globalization;
using System.Text;

namespace Keepwire.Text;

/// <summary>
/// Makes text that came from outside (site reports, check output, config values, file names) safe to print on an
/// operator's terminal: every character that could steer the terminal or change what it shows is written as
/// <c>\u{HEX}</c> instead. That is C0 and C1 controls and DEL (escape sequences, carriage returns, newlines that
/// would forge extra lines), Unicode format characters (bidi overrides and isolates, zero-width characters, BOM,
/// invisible tag characters), line and paragraph separators, and surrogates that are not half of a pair.
/// Everything else, non-ASCII letters and emoji included, is printed as it is.
/// </summary>
public static class TerminalText
{
    /// <summary>One line of output: nothing in <paramref name="text"/> can end the line or act on the terminal.</summary>
    public static string Escape(string? text)
    {
        if (text is null || IsPlainAscii(text))
            return text ?? "";

        var builder = new StringBuilder(text.Length + 16);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done)
                AppendEscaped(builder, rest[0]);
            else if (IsUnsafe(rune))
                AppendEscaped(builder, rune.Value);
            else
                builder.Append(rest[..consumed]);
            rest = rest[consumed..];
        }

        return builder.ToString();
    }

    /// <summary>
    /// Text that may span lines (a list of errors): each line escaped, and every line after the first indented
    /// by <paramref name="indent"/>, so no line of it can pass for a line of the output around it.
    /// </summary>
    public static string EscapeLines(string? text, string indent = "  ") =>
        string.Join("\n" + indent, (text ?? "").Split('\n').Select(line => Escape(line.TrimEnd('\r'))));

    private static bool IsUnsafe(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;

    private static bool IsPlainAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
                return false;
        }

        return true;
    }

    private static void AppendEscaped(StringBuilder builder, int codePoint) =>
        builder.Append("\\u{").Append(codePoint.ToString("X", CultureInfo.InvariantCulture)).Append('}');
}
