using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// Passes a YAML parser's events through to the document model and stops the load, with a
/// <see cref="YamlLimitException"/> at the offending event, before the model can be hurt by them.
/// </summary>
/// <remarks>
/// YamlDotNet's parser is a loop, but its document model recurses once per nesting level and hashes mapping
/// keys through their children; its aliases are references, which a later walk over the model expands. So the
/// events are bounded here, as they stream in and before the model sees them: nesting depth, values counted
/// with what aliases repeat, length of one value. Keys must be plain values (a list or alias as a key makes
/// hashing as costly as the structure behind it), and an alias must refer to a node that is complete, so the
/// model never holds a cycle.
/// </remarks>
internal sealed class BoundedYamlParser(IParser inner) : IParser
{
    private readonly Stack<Frame> open = new();
    private readonly Dictionary<AnchorName, Extent> anchors = [];
    private readonly HashSet<AnchorName> anchorsInProgress = [];
    private long nodes;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
            return false;
        switch (inner.Current)
        {
            case DocumentStart:
                // Anchors are local to their document.
                anchors.Clear();
                anchorsInProgress.Clear();
                break;
            case Scalar scalar:
                if (scalar.Value.Length > ConfigLimits.MaxScalarChars)
                    throw Limit(scalar, $"a value of {scalar.Value.Length} characters is longer than the {ConfigLimits.MaxScalarChars} allowed", "a configuration value is a name, an address or a short text");
                AddChild(scalar, new Extent(1, 0));
                if (!scalar.Anchor.IsEmpty)
                    anchors[scalar.Anchor] = new Extent(1, 0);
                break;
            case AnchorAlias alias:
                var repeated = Resolve(alias);
                if (open.Count + repeated.Height > ConfigLimits.MaxDepth)
                    throw Limit(alias, $"this alias nests lists and mappings more than {ConfigLimits.MaxDepth} levels deep", "refer to a smaller part of the file");
                AddChild(alias, repeated);
                break;
            case NodeEvent collection and (SequenceStart or MappingStart):
                CheckPlace(collection);
                CountNodes(collection, 1);
                open.Push(new Frame(collection, collection is MappingStart));
                if (open.Count > ConfigLimits.MaxDepth)
                    throw Limit(collection, $"lists and mappings are nested more than {ConfigLimits.MaxDepth} levels deep", "a Keepwire configuration needs about six levels: look for unclosed or repeated '[' or '{'");
                if (!collection.Anchor.IsEmpty)
                    anchorsInProgress.Add(collection.Anchor);
                break;
            case SequenceEnd or MappingEnd:
                Close();
                break;
        }

        return true;
    }

    /// <summary>A scalar or alias: complete as it arrives, so it adds its extent to its parent at once.</summary>
    private void AddChild(ParsingEvent node, Extent extent)
    {
        CheckPlace(node);
        CountNodes(node, extent.Nodes);
        if (open.TryPeek(out var parent))
            parent.Add(extent);
    }

    /// <summary>In a mapping, keys and values alternate; a key must be a scalar.</summary>
    private void CheckPlace(ParsingEvent node)
    {
        if (!open.TryPeek(out var parent) || !parent.IsMapping)
            return;
        if (parent.NextIsKey && node is not Scalar)
            throw Limit(node, $"a mapping key must be a plain name, not {Describe(node)}", "write keys as plain text, e.g. 'name: web'");
        parent.NextIsKey = !parent.NextIsKey;
    }

    private void CountNodes(ParsingEvent node, long count)
    {
        nodes += count;
        if (nodes > ConfigLimits.MaxNodes)
        {
            throw Limit(node, $"the file holds more than {ConfigLimits.MaxNodes} values, counting each repetition an alias makes",
                "a Keepwire configuration needs a few hundred; look for aliases ('*name') that repeat large parts of the file");
        }
    }

    private Extent Resolve(AnchorAlias alias)
    {
        if (anchors.TryGetValue(alias.Value, out var extent))
            return extent;
        if (anchorsInProgress.Contains(alias.Value))
            throw Limit(alias, $"alias '*{alias.Value}' is inside the node it refers to", "an alias can only repeat a node that ends before it");
        throw Limit(alias, $"alias '*{alias.Value}' refers to no anchor '&{alias.Value}' before it", "define the anchor first, or write the value out");
    }

    /// <summary>A list or mapping ends: its extent is known, for its parent and for aliases to it.</summary>
    private void Close()
    {
        if (!open.TryPop(out var frame))
            return;
        var extent = new Extent(frame.Nodes, frame.Height);
        if (open.TryPeek(out var parent))
            parent.Add(extent);
        if (!frame.Start.Anchor.IsEmpty)
        {
            anchorsInProgress.Remove(frame.Start.Anchor);
            anchors[frame.Start.Anchor] = extent;
        }
    }

    private static string Describe(ParsingEvent node) => node switch
    {
        SequenceStart => "a list",
        MappingStart => "a mapping",
        _ => "an alias",
    };

    private static YamlLimitException Limit(ParsingEvent at, string message, string hint) => new(at.Start, message, hint);

    /// <summary>How much a node stands for: nodes counted through aliases, and nesting levels (a scalar has none).</summary>
    private readonly record struct Extent(long Nodes, int Height);

    /// <summary>A list or mapping still open: what it holds so far, and for a mapping whether a key comes next.</summary>
    private sealed class Frame(NodeEvent start, bool isMapping)
    {
        public NodeEvent Start { get; } = start;

        public bool IsMapping { get; } = isMapping;

        public bool NextIsKey { get; set; } = true;

        /// <summary>This node and everything in it, counted through aliases.</summary>
        public long Nodes { get; private set; } = 1;

        /// <summary>Levels of nesting this node adds: 1 for itself, more for lists and mappings inside it.</summary>
        public int Height { get; private set; } = 1;

        public void Add(Extent child)
        {
            Nodes += child.Nodes;
            Height = Math.Max(Height, child.Height + 1);
        }
    }
}
