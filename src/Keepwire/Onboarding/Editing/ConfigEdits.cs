using Keepwire.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Onboarding.Editing;

/// <summary>
/// Text-level edits of a configuration file that keep everything the edit is not about: comments, blank
/// lines, quoting, key order and indentation. YamlDotNet's representation model drops comments when it
/// writes a document back, so nothing is re-serialised: each edit finds its spot from the marks of the
/// parsed nodes and inserts or replaces only the characters it means to change, in the style of the
/// neighbouring entries. The caller re-loads and validates the result (<see cref="ConfigFileUpdate"/>).
/// </summary>
public static class ConfigEdits
{
    /// <summary>Appends <paramref name="site"/> as the last entry of <c>sites:</c> (appending keeps every other site's allocated address).</summary>
    public static string AppendSite(string yaml, SiteEntry site)
    {
        var root = Root(yaml);
        if (YamlLayout.Value(root, "sites") is not YamlSequenceNode sites)
            throw new ConfigEditException("the configuration has no 'sites:' list to add the site to; add a line 'sites: []' and try again");

        if (sites.Children.Count == 0)
            return ReplaceEmptyFlowList(yaml, sites, BlockItem(site, DashColumnOfFirstEntry(yaml, root)));
        var last = sites.Children[^1];
        if (YamlLayout.IsFlow(sites))
            return yaml.Insert(YamlLayout.ContentEnd(yaml, last), ", " + site.FlowMapping());

        var dash = YamlLayout.DashColumn(yaml, last);
        var item = YamlLayout.IsFlow(last)
            ? new string(' ', dash) + "- " + site.FlowMapping() + (site.Comment is null ? "" : $"  # {site.Comment}")
            : BlockItem(site, dash, YamlLayout.Column(yaml, (int)last.Start.Index) - dash);
        return InsertLineAfter(yaml, YamlLayout.ContentEnd(yaml, last), item);
    }

    /// <summary>Adds <paramref name="site"/> to the <c>sites:</c> list of service <paramref name="service"/>, in that list's style.</summary>
    public static string AddSiteToService(string yaml, string service, string site)
    {
        var root = Root(yaml);
        var entry = YamlLayout.Value(root, "services") is YamlSequenceNode services ? YamlLayout.Named(services, service) : null;
        if (entry is null)
            throw new ConfigEditException($"the configuration has no service '{service}'; add it first, or leave out --service");
        if (YamlLayout.Value(entry, "sites") is not YamlSequenceNode sites)
            throw new ConfigEditException($"service '{service}' has no 'sites:' list (line {entry.Start.Line}); fix the configuration first");
        if (sites.Children.OfType<YamlScalarNode>().Any(s => s.Value == site))
            return yaml;

        if (sites.Children.Count == 0)
            return ReplaceEmptyFlowList(yaml, sites, "[" + site + "]", newLine: false);
        var last = sites.Children[^1];
        if (YamlLayout.IsFlow(sites))
            return yaml.Insert(YamlLayout.ContentEnd(yaml, last), ", " + site);
        return InsertLineAfter(yaml, YamlLayout.ContentEnd(yaml, last), new string(' ', YamlLayout.DashColumn(yaml, last)) + "- " + site);
    }

    /// <summary>
    /// Replaces the <c>public_key</c> of site <paramref name="site"/> with <paramref name="key"/>, in the same
    /// quoting style, and drops a trailing comment on that line that starts with <paramref name="commentToDrop"/>.
    /// </summary>
    public static string ReplaceSitePublicKey(string yaml, string site, WireGuardKey key, string? commentToDrop = null)
    {
        var root = Root(yaml);
        var entry = YamlLayout.Value(root, "sites") is YamlSequenceNode sites ? YamlLayout.Named(sites, site) : null;
        if (entry is null)
            throw new ConfigEditException($"the configuration has no site '{site}'");
        if (YamlLayout.Value(entry, "public_key") is not YamlScalarNode value)
            throw new ConfigEditException($"site '{site}' has no public_key (line {entry.Start.Line})");

        var start = (int)value.Start.Index;
        var end = (int)value.End.Index;
        var replacement = value.Style switch
        {
            ScalarStyle.DoubleQuoted => YamlScalars.Quoted(key.Base64),
            ScalarStyle.SingleQuoted => $"'{key.Base64}'",
            _ => key.Base64,
        };

        // The comment follows the key in a block entry, the closing brace of a flow one. Edits go from the end
        // of the text backwards, so the earlier positions stay valid.
        if (commentToDrop is not null)
        {
            var anchor = YamlLayout.IsFlow(entry) ? YamlLayout.ContentEnd(yaml, entry) : end;
            var lineEnd = YamlLayout.LineEnd(yaml, anchor);
            var rest = yaml[anchor..lineEnd];
            var comment = rest.IndexOf("# " + commentToDrop, StringComparison.Ordinal);
            if (comment >= 0 && string.IsNullOrWhiteSpace(rest[..comment]))
                yaml = string.Concat(yaml.AsSpan(0, anchor), rest.EndsWith('\r') ? "\r" : "", yaml.AsSpan(lineEnd));
        }
        return string.Concat(yaml.AsSpan(0, start), replacement, yaml.AsSpan(end));
    }

    private static YamlMappingNode Root(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigEditException($"the configuration is not valid YAML ({e.Message}); fix it first (keepwire check)");
        }
        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new ConfigEditException("the configuration is not one YAML mapping; fix it first (keepwire check)");
    }

    /// <summary>Indentation of new top-level list entries when the list is empty: that of the hubs' entries, the file's own habit.</summary>
    private static int DashColumnOfFirstEntry(string yaml, YamlMappingNode root) =>
        YamlLayout.Value(root, "hubs") is YamlSequenceNode { Children.Count: > 0 } hubs && !YamlLayout.IsFlow(hubs)
            ? YamlLayout.DashColumn(yaml, hubs.Children[0])
            : 2;

    private static string BlockItem(SiteEntry site, int dashColumn, int keyOffset = 2)
    {
        var lines = site.BlockLines();
        var keyIndent = new string(' ', dashColumn + keyOffset);
        var first = new string(' ', dashColumn) + "-" + new string(' ', keyOffset - 1) + lines[0];
        return string.Join('\n', [first, .. lines.Skip(1).Select(line => keyIndent + line)]);
    }

    /// <summary>
    /// Inserts <paramref name="line"/> (one or more lines, without a final newline) as new lines right after
    /// the line holding <paramref name="index"/>, so a comment at the end of that line stays where it is.
    /// </summary>
    private static string InsertLineAfter(string yaml, int index, string line)
    {
        var lineEnd = YamlLayout.LineEnd(yaml, Math.Max(0, index - 1));
        if (lineEnd > 0 && yaml[lineEnd - 1] == '\r')
            lineEnd--;
        return yaml.Insert(lineEnd, NewLine(yaml) + line.Replace("\n", NewLine(yaml), StringComparison.Ordinal));
    }

    private static string NewLine(string yaml) => yaml.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

    /// <summary>Replaces an empty flow list (<c>sites: []</c>) with its first entry: a block entry on the next line, or a flow list.</summary>
    private static string ReplaceEmptyFlowList(string yaml, YamlSequenceNode list, string replacement, bool newLine = true)
    {
        var start = (int)list.Start.Index;
        var end = YamlLayout.ContentEnd(yaml, list);
        if (!YamlLayout.IsFlow(list) || yaml[start] != '[')
            throw new ConfigEditException($"cannot add to the empty list at line {list.Start.Line}; write it as '[]' or add the entry by hand");
        if (!newLine)
            return string.Concat(yaml.AsSpan(0, start), replacement, yaml.AsSpan(end));
        // "sites: []" becomes "sites:" followed by the entry's lines; a comment after the brackets stays on the key's line.
        var keyEnd = start;
        while (keyEnd > 0 && yaml[keyEnd - 1] == ' ')
            keyEnd--;
        var lineEnd = YamlLayout.LineEnd(yaml, end);
        var rest = yaml[end..lineEnd].TrimEnd('\r');
        var restOfLine = rest.Trim().Length == 0 ? "" : " " + rest.Trim();
        var newline = NewLine(yaml);
        return yaml[..keyEnd] + restOfLine + newline + replacement.Replace("\n", newline, StringComparison.Ordinal) + yaml[lineEnd..];
    }
}
