using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Keepwire.Model;

/// <summary>
/// A read-only map from hub name to interface name that compares by content, so configuration records that
/// hold one keep value equality (a reload can tell "nothing changed" from "something changed").
/// </summary>
public sealed class HubInterfaceDictionary : IReadOnlyDictionary<string, string>, IEquatable<HubInterfaceDictionary>
{
    private readonly Dictionary<string, string> _byHub;
    private readonly IReadOnlyList<string> _hubOrder;

    public HubInterfaceDictionary(IEnumerable<KeyValuePair<string, string>> byHub)
    {
        _byHub = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (hub, name) in byHub)
        {
            _byHub.Add(hub, name);
            order.Add(hub);
        }
        _hubOrder = order;
    }

    public static HubInterfaceDictionary Empty { get; } = new([]);

    public string this[string key] => _byHub[key];

    /// <summary>The hub names in the order they were given (the hubs' order in the file).</summary>
    public IEnumerable<string> Keys => _hubOrder;

    public IEnumerable<string> Values => _hubOrder.Select(h => _byHub[h]);

    public int Count => _byHub.Count;

    public bool ContainsKey(string key) => _byHub.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _byHub.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        _hubOrder.Select(h => KeyValuePair.Create(h, _byHub[h])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(HubInterfaceDictionary? other) =>
        other is not null && other.Count == Count && _byHub.All(e => other.TryGetValue(e.Key, out var name) && name == e.Value);

    public override bool Equals(object? obj) => Equals(obj as HubInterfaceDictionary);

    public override int GetHashCode()
    {
        var hash = 0;
        foreach (var (hub, name) in _byHub)
            hash ^= HashCode.Combine(hub, name);
        return hash;
    }

    public override string ToString() => "{ " + string.Join(", ", this.Select(e => $"{e.Key}: {e.Value}")) + " }";
}
