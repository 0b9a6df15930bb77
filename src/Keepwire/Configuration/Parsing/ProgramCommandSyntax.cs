namespace Keepwire.Configuration.Parsing;

/// <summary>
/// A <c>command:</c> the hub runs itself (an exec notification, the provider hook): the program by its absolute
/// path and its arguments, as a list, since it runs without a shell or a PATH search.
/// </summary>
internal static class ProgramCommandSyntax
{
    /// <summary>The words of <c>command</c>, or null after reporting what is wrong with it.</summary>
    /// <param name="hint">How to write it, shown with every error.</param>
    /// <param name="maxWords">The program and its arguments together.</param>
    /// <param name="exampleProgram">An absolute path to suggest when the program is not one.</param>
    public static IReadOnlyList<string>? Read(MappingReader map, string hint, int maxWords, string exampleProgram)
    {
        if (map.Required("command", hint) is not { } node || YamlValues.Sequence(node, "command", map.Errors, hint) is not { } items)
            return null;
        if (items.Count == 0 || items.Count > maxWords)
        {
            map.Errors.Report(node, $"command must hold the program and at most {maxWords - 1} arguments", hint);
            return null;
        }

        var words = items.Select(item => YamlValues.ExactText(item, "command", map.Errors)).ToList();
        if (words.Any(w => w is null))
            return null;
        if (!Path.IsPathFullyQualified(words[0]!))
        {
            map.Errors.Report(items[0], $"the program '{words[0]}' is not an absolute path", $"name it by its full path (e.g. {exampleProgram}): the hub runs it without a shell or PATH search");
            return null;
        }

        return [.. words.OfType<string>()];
    }
}
