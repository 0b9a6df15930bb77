using System.Text.RegularExpressions;
using Keepwire.Adapters.Nftables;

namespace Keepwire.Tests.Fakes;

/// <summary>
/// An nftables that holds tables in memory and applies scripts the way <c>nft -f</c> does, kube-proxy's
/// knftables fake in spirit: a script is one transaction (any error and none of it applies), <c>add element</c>
/// on an existing key fails and <c>delete element</c> of a missing one fails, as in the kernel. It understands
/// what the forwarding reconciler writes: add/delete table, a table block (its comment, sets and maps; chains
/// are kept as text only), add/delete element. Every applied script is recorded.
/// </summary>
internal sealed partial class FakeNftables : INftables
{
    private readonly Dictionary<(string Family, string Name), Table> _tables = [];
    private long _nextHandle = 1;

    /// <summary>Every script applied (rejected ones are not), oldest first.</summary>
    public List<string> Scripts { get; } = [];

    /// <summary>Set to make the next <see cref="ApplyAsync"/> fail as nft would (the transaction applies nothing).</summary>
    public string? FailNextApply { get; set; }

    /// <summary>
    /// While set, <see cref="ApplyAsync"/> waits for it without regard to cancellation, as an nft that never returns
    /// would: the caller's loop is stuck until the test completes it. <see cref="Hanging"/> completes once a call waits.
    /// </summary>
    public TaskCompletionSource? Hang { get; private set; }

    /// <summary>From now on <see cref="ApplyAsync"/> hangs until <see cref="Release"/>.</summary>
    public void HangApplies() => Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets a hanging <see cref="ApplyAsync"/> go on, and later ones run at once.</summary>
    public void Release()
    {
        var hang = Hang;
        Hang = null;
        hang?.TrySetResult();
    }

    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The ruleset generation: one more with every applied script, as the kernel counts its commits.</summary>
    public uint Generation { get; private set; } = 1;

    /// <summary>False: the generation cannot be read (as with a runner acting on another namespace).</summary>
    public bool GenerationReadable { get; set; } = true;

    /// <summary>Times a table was listed.</summary>
    public int Listings { get; private set; }

    public Task<NftTableState?> ReadTableAsync(string family, string name, CancellationToken cancellationToken = default)
    {
        Listings++;
        return Task.FromResult(_tables.TryGetValue((family, name), out var table) ? table.State(family, name) : null);
    }

    public Task<uint?> ReadGenerationAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(GenerationReadable ? Generation : (uint?)null);

    public async Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        if (Hang is { } hang)
        {
            Hanging.TrySetResult();
            await hang.Task;
        }
        if (FailNextApply is { } failure)
        {
            FailNextApply = null;
            throw new NftablesException(NftablesFailure.ScriptRejected, failure);
        }
        var working = _tables.ToDictionary(t => t.Key, t => t.Value.Copy());
        var lines = script.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            try
            {
                i = ApplyLine(working, lines, i, line);
            }
            catch (InvalidOperationException e)
            {
                throw new NftablesException(NftablesFailure.ScriptRejected, $"nft rejected line {i + 1} of the script: {e.Message}: {line}", i + 1, line);
            }
        }
        _tables.Clear();
        foreach (var (key, table) in working)
            _tables[key] = table;
        Scripts.Add(script);
        Generation++;
    }

    /// <summary>The value a map maps <paramref name="key"/> to, or null.</summary>
    public string? Lookup(string family, string table, string map, string key) =>
        _tables.TryGetValue((family, table), out var t) && t.Sets.TryGetValue(map, out var set) ? set.GetValueOrDefault(key) : null;

    /// <summary>The elements of a set or map, as "key" or "key : value".</summary>
    public IReadOnlyList<string> Elements(string family, string table, string set) =>
        _tables.TryGetValue((family, table), out var t) && t.Sets.TryGetValue(set, out var elements)
            ? [.. elements.Select(e => e.Value is null ? e.Key : $"{e.Key} : {e.Value}").Order(StringComparer.Ordinal)]
            : [];

    /// <returns>The index of the last line consumed.</returns>
    private int ApplyLine(Dictionary<(string, string), Table> tables, string[] lines, int index, string line)
    {
        if (line.Length == 0 || line.StartsWith('#'))
            return index;
        if (AddTable().Match(line) is { Success: true } add)
        {
            var key = (add.Groups["family"].Value, add.Groups["name"].Value);
            if (!tables.ContainsKey(key))
                tables[key] = new Table(_nextHandle++);
            return index;
        }
        if (DeleteTable().Match(line) is { Success: true } delete)
        {
            if (!tables.Remove((delete.Groups["family"].Value, delete.Groups["name"].Value)))
                throw new InvalidOperationException("No such file or directory");
            return index;
        }
        if (TableBlock().Match(line) is { Success: true } block)
        {
            var key = (block.Groups["family"].Value, block.Groups["name"].Value);
            if (!tables.TryGetValue(key, out var table))
                tables[key] = table = new Table(_nextHandle++);
            return ReadBlock(table, lines, index);
        }
        if (Elements().Match(line) is { Success: true } elements)
        {
            var key = (elements.Groups["family"].Value, elements.Groups["table"].Value);
            if (!tables.TryGetValue(key, out var table) || !table.Sets.TryGetValue(elements.Groups["set"].Value, out var set))
                throw new InvalidOperationException("No such file or directory");
            foreach (var element in elements.Groups["elements"].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = element.Split(" : ", 2);
                if (elements.Groups["verb"].Value == "add")
                {
                    if (!set.TryAdd(parts[0], parts.Length == 2 ? parts[1] : null))
                        throw new InvalidOperationException("File exists");
                }
                else if (!set.Remove(parts[0]))
                {
                    throw new InvalidOperationException("No such file or directory");
                }
            }
            return index;
        }
        throw new InvalidOperationException("syntax error");
    }

    /// <summary>Reads a table block up to its closing brace: the comment, and the sets and maps it declares.</summary>
    private static int ReadBlock(Table table, string[] lines, int index)
    {
        var depth = 1;
        var body = new List<string>();
        for (var i = index + 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            depth += line.Count(c => c == '{') - line.Count(c => c == '}');
            if (depth == 0)
            {
                table.Body = string.Join('\n', body);
                return i;
            }
            body.Add(line);
            if (depth == 1 && Comment().Match(line) is { Success: true } comment)
                table.Comment = comment.Groups["comment"].Value;
            if (SetDeclaration().Match(line) is { Success: true } declaration)
                table.Sets.TryAdd(declaration.Groups["name"].Value, []);
        }
        throw new InvalidOperationException("unterminated table block");
    }

    private sealed class Table(long handle)
    {
        public long Handle { get; } = handle;

        public string? Comment { get; set; }

        public string Body { get; set; } = "";

        public Dictionary<string, Dictionary<string, string?>> Sets { get; private init; } = new(StringComparer.Ordinal);

        public Table Copy() => new(Handle)
        {
            Comment = Comment,
            Body = Body,
            Sets = Sets.ToDictionary(s => s.Key, s => new Dictionary<string, string?>(s.Value, StringComparer.Ordinal), StringComparer.Ordinal),
        };

        public NftTableState State(string family, string name) =>
            new(family, name, Handle, Comment, Sets.ToDictionary(
                s => s.Key,
                s => (IReadOnlySet<NftElement>)s.Value.Select(e => new NftElement(e.Key, e.Value)).ToHashSet(),
                StringComparer.Ordinal));
    }

    [GeneratedRegex(@"^add table (?<family>\S+) (?<name>\S+)$")]
    private static partial Regex AddTable();

    [GeneratedRegex(@"^delete table (?<family>\S+) (?<name>\S+)$")]
    private static partial Regex DeleteTable();

    [GeneratedRegex(@"^table (?<family>\S+) (?<name>\S+) \{$")]
    private static partial Regex TableBlock();

    [GeneratedRegex(@"^(?<verb>add|delete) element (?<family>\S+) (?<table>\S+) (?<set>\S+) \{ (?<elements>.*) \}$")]
    private static partial Regex Elements();

    [GeneratedRegex("^comment \"(?<comment>[^\"]*)\"$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^(?:set|map) (?<name>\S+) \{$")]
    private static partial Regex SetDeclaration();
}
