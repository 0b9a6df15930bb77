using YamlDotNet.RepresentationModel;

namespace Keepwire.Onboarding.Editing;

/// <summary>
/// Where things are in the text of a YAML document, from the marks of its parsed nodes: the facts a
/// text-level edit needs to insert lines that look like their neighbours and leave everything else
/// (comments, blank lines, quoting, key order) exactly as it was.
/// </summary>
internal static class YamlLayout
{
    /// <summary>
    /// The index just after the last character of <paramref name="node"/>'s own content. Only a scalar's end mark
    /// can be trusted for this: a block collection's end mark lies at the start of whatever follows it (often after
    /// blank lines and comments that belong to the next entry), and YamlDotNet gives a flow collection the end mark
    /// of its opening bracket. So a collection ends where its last child does, plus the closing bracket of a flow one.
    /// </summary>
    public static int ContentEnd(string text, YamlNode node)
    {
        var childrenEnd = node switch
        {
            YamlSequenceNode { Children.Count: > 0 } sequence => sequence.Children.Max(child => ContentEnd(text, child)),
            YamlMappingNode { Children.Count: > 0 } mapping => mapping.Children.Max(pair => Math.Max(ContentEnd(text, pair.Key), ContentEnd(text, pair.Value))),
            YamlScalarNode => (int)node.End.Index,
            _ => (int)node.Start.Index + 1,
        };
        return IsFlow(node) ? ClosingBracket(text, childrenEnd, node is YamlSequenceNode ? ']' : '}') + 1 : childrenEnd;
    }

    /// <summary>The index of <paramref name="bracket"/> at or after <paramref name="from"/>, past separators and comments only.</summary>
    private static int ClosingBracket(string text, int from, char bracket)
    {
        var index = from;
        while (index < text.Length && text[index] != bracket)
        {
            if (text[index] == '#')
                index = LineEnd(text, index);
            else if (text[index] is ' ' or '\t' or '\r' or '\n' or ',')
                index++;
            else
                throw new ConfigEditException($"cannot find the closing '{bracket}' of the list or mapping before line {LineNumber(text, index)}; edit the file by hand");
        }
        if (index >= text.Length)
            throw new ConfigEditException($"the closing '{bracket}' is missing; fix the file first (keepwire check)");
        return index;
    }

    private static int LineNumber(string text, int index) => text.AsSpan(0, Math.Min(index, text.Length)).Count('\n') + 1;

    public static bool IsFlow(YamlNode node) => node is
        YamlSequenceNode { Style: YamlDotNet.Core.Events.SequenceStyle.Flow } or
        YamlMappingNode { Style: YamlDotNet.Core.Events.MappingStyle.Flow };

    public static int LineStart(string text, int index) => index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;

    /// <summary>The index of the newline ending the line that holds <paramref name="index"/>, or the text's length on the last line.</summary>
    public static int LineEnd(string text, int index)
    {
        var newline = text.IndexOf('\n', index);
        return newline < 0 ? text.Length : newline;
    }

    public static int Column(string text, int index) => index - LineStart(text, index);

    /// <summary>
    /// The column of the <c>-</c> that introduces <paramref name="item"/> in a block sequence: the item
    /// starts after it on the same line (<c>- name: x</c>), or it stands alone on the line before.
    /// </summary>
    public static int DashColumn(string text, YamlNode item)
    {
        var index = (int)item.Start.Index - 1;
        while (index >= 0 && text[index] is ' ' or '\t' or '\n' or '\r')
            index--;
        if (index < 0 || text[index] != '-')
            throw new ConfigEditException($"cannot find the '-' of the list entry at line {item.Start.Line}; edit the file by hand");
        return Column(text, index);
    }

    /// <summary>The value of <paramref name="key"/> in a mapping, or null.</summary>
    public static YamlNode? Value(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(pair => pair.Key is YamlScalarNode { Value: { } name } && name == key).Value;

    /// <summary>The entry of a list of named mappings (<c>sites</c>, <c>services</c>) whose <c>name</c> is <paramref name="name"/>.</summary>
    public static YamlMappingNode? Named(YamlSequenceNode list, string name) =>
        list.Children.OfType<YamlMappingNode>().FirstOrDefault(entry => Value(entry, "name") is YamlScalarNode { Value: { } value } && value == name);
}
