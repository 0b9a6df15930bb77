namespace Keepwire.Adapters.Posix;

/// <summary>
/// Whether a packet came in through a named interface, by its index. The index is looked up again when a packet
/// says otherwise (at most every <see cref="Retry"/>): wireguard-go recreates its interface with a new index when
/// it restarts. Thread-safe.
/// </summary>
public sealed class InterfaceIndexCache(string name, TimeProvider time)
{
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private (int Index, DateTimeOffset ReadAt)? _known;

    public string Name { get; } = name;

    public bool Matches(int interfaceIndex)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_known is { } known && (known.Index == interfaceIndex || now - known.ReadAt < Retry))
                return known.Index == interfaceIndex && interfaceIndex != 0;
            var index = Libc.InterfaceIndex(Name);
            _known = (index, now);
            return index != 0 && index == interfaceIndex;
        }
    }
}
