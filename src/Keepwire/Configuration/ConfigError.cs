using Keepwire.Text;

namespace Keepwire.Configuration;

/// <summary>
/// One problem found in a configuration file, pinned to the node that caused it.
/// Line and column are 1-based; both are 0 when the problem concerns the file as a whole
/// (for example, it cannot be read).
/// </summary>
/// <param name="Hint">What to do about it, when there is something more useful to say than the message.</param>
public sealed record ConfigError(string File, int Line, int Column, string Message, string? Hint)
{
    /// <summary>
    /// The compiler-style form <c>file:line:column: message (hint: …)</c>, one error per line. Messages quote the
    /// file's own text, so the line is escaped for a terminal (<see cref="TerminalText"/>): a value holding an
    /// escape sequence or a newline cannot act on the terminal or forge another error line.
    /// </summary>
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return TerminalText.Escape(Hint is null ? $"{location}: {Message}" : $"{location}: {Message} (hint: {Hint})");
    }
}
