using System.Text;
using System.Text.RegularExpressions;

namespace Keepwire.Tests.Docs;

/// <summary>One <c>keepwire …</c> command line written in a document: where, and its words as the shell would pass them.</summary>
/// <param name="Text">The command as written (after placeholders were filled in), for messages.</param>
/// <param name="Arguments">What follows <c>keepwire</c>.</param>
public sealed record DocumentedCommand(string File, int Line, string Text, IReadOnlyList<string> Arguments)
{
    public override string ToString() => $"{File}:{Line}: {Text}";
}

/// <summary>
/// Finds the <c>keepwire …</c> command lines in documentation: in markdown, the lines of fenced code
/// blocks and every inline code span; in other files (example configs, systemd units), inline code
/// spans (in comments) and <c>ExecStart=</c> lines. The rules that turn what a reader sees into
/// what the shell would pass:
/// <list type="bullet">
/// <item>A shell comment (<c> # …</c>) ends a code block line; <c>&amp;&amp;</c>, <c>||</c>, <c>;</c> and <c> | </c> separate commands.</item>
/// <item>A command starts with <c>keepwire</c>, a path ending in <c>/keepwire</c>, or <c>dotnet …/keepwire.dll</c> (and
/// <c>keepwire-lab ARGS</c> is <c>keepwire lab ARGS</c>); <c>…</c> at the
/// start of a code span stands for the keepwire command just shown (<c>… lab down --prefix kwp</c>).</item>
/// <item>Placeholders become one word: <c>&lt;hub's public key&gt;</c>, <c>$(hostname)</c>, <c>$VAR</c>, <c>{state}</c>. Upper-case
/// words (FILE, SITE) are already words.</item>
/// <item><c>[--json]</c> is optional: both forms are checked.</item>
/// <item>The program alone (<c>keepwire</c>, <c>/usr/local/bin/keepwire</c>) names it; it is not a command line.</item>
/// </list>
/// </summary>
public static partial class DocumentedCommands
{
    private const string Placeholder = "x";

    /// <summary>The documents checked, relative to the repository root.</summary>
    public static IEnumerable<string> DocumentFiles(string root)
    {
        IEnumerable<string> files =
        [
            Path.Combine(root, "README.md"),
            Path.Combine(root, "bench", "README.md"),
            .. Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md"),
            .. Directory.EnumerateFiles(Path.Combine(root, "deploy"), "*", SearchOption.AllDirectories),
            .. Directory.EnumerateFiles(Path.Combine(root, "examples")),
        ];
        return files.Where(File.Exists).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal);
    }

    /// <summary>Every keepwire command line in <paramref name="text"/> (the contents of <paramref name="file"/>).</summary>
    /// <param name="commandNames">keepwire's top-level command names, to recognise a command after <c>…</c>.</param>
    public static IReadOnlyList<DocumentedCommand> Find(string file, string text, IReadOnlySet<string> commandNames)
    {
        var found = new List<DocumentedCommand>();
        foreach (var (line, snippet) in Snippets(file, text, out _))
        {
            foreach (var command in SplitShell(StripComment(snippet)))
                found.AddRange(Expand(file, line, command, commandNames));
        }
        return found;
    }

    /// <summary>
    /// Mentions of a keepwire command (<c>keepwire status</c>) outside code: this test cannot tell where
    /// such a command ends, so a command written in a document must be in a code span or block.
    /// </summary>
    public static IReadOnlyList<string> UncheckableMentions(string file, string text, IReadOnlySet<string> commandNames)
    {
        Snippets(file, text, out var prose);
        var lines = prose.Split('\n');
        var mentions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match match in Mention().Matches(lines[i]))
            {
                if (commandNames.Contains(match.Groups[1].Value))
                    mentions.Add($"{file}:{i + 1}: {lines[i].Trim()}");
            }
        }
        return mentions;
    }

    /// <summary>The code of a document with the line each piece starts on; <paramref name="prose"/> is the rest (code blanked, lines kept).</summary>
    private static List<(int Line, string Code)> Snippets(string file, string text, out string prose)
    {
        var snippets = new List<(int, string)>();
        var rest = new StringBuilder(text);
        var markdown = file.EndsWith(".md", StringComparison.Ordinal);
        if (markdown)
        {
            foreach (Match block in FencedBlock().Matches(text))
            {
                var body = block.Groups["body"];
                var first = LineOf(text, body.Index);
                var bodyLines = body.Value.Split('\n');
                for (var i = 0; i < bodyLines.Length; i++)
                    snippets.Add((first + i, bodyLines[i]));
                Blank(rest, block.Index, block.Length);
            }
        }
        else
        {
            foreach (Match exec in ExecStart().Matches(text))
            {
                // "$KEEPWIRE_HUB_OPTIONS" from an EnvironmentFile: options the operator may add, empty by default.
                snippets.Add((LineOf(text, exec.Index), UnitOptions().Replace(exec.Groups[1].Value, "")));
                Blank(rest, exec.Index, exec.Length);
            }
        }

        // Inline code, also across a line break (markdown reads it as a space); a table's \| is a |.
        var withoutBlocks = rest.ToString();
        foreach (Match span in CodeSpan().Matches(withoutBlocks))
        {
            snippets.Add((LineOf(text, span.Index), span.Groups["code"].Value.Replace('\n', ' ').Replace("\\|", "|", StringComparison.Ordinal)));
            Blank(rest, span.Index, span.Length);
        }

        prose = rest.ToString();
        return snippets;
    }

    private static IEnumerable<DocumentedCommand> Expand(string file, int line, string command, IReadOnlySet<string> commandNames)
    {
        var filled = PlaceholderPattern().Replace(command, Placeholder).Trim();
        var words = Words(filled);
        var start = KeepwireAt(words, commandNames);
        if (start < 0)
            yield break;

        // [x] or [--option VALUE] is optional: one form with it, one without (each bracket on its own, enough for a
        // synopsis). A trailing … (repeatable) is dropped.
        var arguments = words.Skip(start).Where(w => w is not ("…" or "...")).Select(w => w.TrimEnd('…')).ToList();
        if (arguments.Count == 0)
            yield break; // the program's name or path (`/usr/local/bin/keepwire`), not a command line
        var optional = arguments.FindIndex(w => w.StartsWith('['));
        var closing = optional < 0 ? -1 : arguments.FindIndex(optional, w => w.EndsWith(']'));
        if (optional < 0 || closing < 0)
        {
            yield return new DocumentedCommand(file, line, filled, arguments);
            yield break;
        }

        var with = arguments.ToList();
        with[optional] = with[optional][1..];
        with[closing] = with[closing][..^1];
        var without = arguments.ToList();
        without.RemoveRange(optional, closing - optional + 1);
        foreach (var form in new[] { with, without })
        {
            foreach (var expanded in Expand(file, line, "keepwire " + string.Join(' ', form.Select(Quote)), commandNames))
                yield return expanded with { Text = filled };
        }
    }

    /// <summary>Where keepwire's own arguments start in a command's words, or -1 when it does not run keepwire.</summary>
    private static int KeepwireAt(List<string> words, IReadOnlySet<string> commandNames)
    {
        var i = 0;
        while (i < words.Count && words[i] is "$" or "#" or "sudo")
            i++;
        if (i >= words.Count)
            return -1;
        var first = words[i];
        if (first == "keepwire" || first.EndsWith("/keepwire", StringComparison.Ordinal))
            return i + 1;
        if (first == "dotnet" && i + 1 < words.Count && words[i + 1].EndsWith("keepwire.dll", StringComparison.Ordinal))
            return i + 2;
        // keepwire-lab ARGS is keepwire lab ARGS: the word before ARGS stands for "lab".
        if (first == "keepwire-lab" || first.EndsWith("/keepwire-lab", StringComparison.Ordinal))
        {
            words[i] = "lab";
            return i;
        }
        if (first == "dotnet" && i + 1 < words.Count && words[i + 1].EndsWith("keepwire-lab.dll", StringComparison.Ordinal))
        {
            words[i + 1] = "lab";
            return i + 1;
        }
        // "… lab down --prefix kwp": the keepwire command just shown, continued.
        if (first is "…" or "..." && i == 0 && i + 1 < words.Count && commandNames.Contains(words[i + 1]))
            return i + 1;
        return -1;
    }

    /// <summary>A shell line without its comment: a # that starts a word, outside quotes.</summary>
    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i];
            }
        }
        return line;
    }

    private static IEnumerable<string> SplitShell(string line) => ShellSeparator().Split(line).Where(s => !string.IsNullOrWhiteSpace(s));

    /// <summary>Words as the shell splits them: on blanks, with '…' and "…" quoting.</summary>
    private static List<string> Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quote = '\0';
        var inWord = false;
        foreach (var c in command)
        {
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
                else
                    word.Append(c);
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(word.ToString());
        return words;
    }

    private static string Quote(string word) => word.Length == 0 || word.Any(char.IsWhiteSpace) ? $"'{word}'" : word;

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private static void Blank(StringBuilder text, int start, int length)
    {
        for (var i = start; i < start + length; i++)
        {
            if (text[i] != '\n')
                text[i] = ' ';
        }
    }

    [GeneratedRegex(@"\s\$\{?[A-Z_]+_OPTIONS\}?")]
    private static partial Regex UnitOptions();

    [GeneratedRegex(@"^[ \t]*```[^\n]*\n(?<body>.*?)\n[ \t]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"(?<fence>`+)(?<code>[^`].*?)\k<fence>", RegexOptions.Singleline)]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^ExecStart=(.*)$", RegexOptions.Multiline)]
    private static partial Regex ExecStart();

    [GeneratedRegex(@"&&|\|\||;| \| ")]
    private static partial Regex ShellSeparator();

    /// <summary>&lt;…&gt;, $(…), ${…}, $VAR, {name}.</summary>
    [GeneratedRegex(@"<[^<>\n]+>|\$\([^()]*\)|\$\{[^{}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_ ]*\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\bkeepwire ([a-z]+)\b")]
    private static partial Regex Mention();
}
