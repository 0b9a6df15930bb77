using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// A labelled gauge set whole from the current state each time: series of what left the config (a removed
/// site, a renamed check) are dropped rather than left showing their last value forever.
/// </summary>
internal sealed class GaugeSnapshot(Gauge gauge)
{
    private readonly Lock _lock = new();
    private HashSet<string[]> _present = new(LabelValues.Comparer);

    public void Set(IEnumerable<(string[] Labels, double Value)> values)
    {
        lock (_lock)
        {
            var now = new HashSet<string[]>(LabelValues.Comparer);
            foreach (var (labels, value) in values)
            {
                gauge.WithLabels(labels).Set(value);
                now.Add(labels);
            }
            foreach (var gone in _present.Where(labels => !now.Contains(labels)))
                gauge.RemoveLabelled(gone);
            _present = now;
        }
    }

    private sealed class LabelValues : IEqualityComparer<string[]>
    {
        public static readonly LabelValues Comparer = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] labels)
        {
            var hash = new HashCode();
            foreach (var label in labels)
                hash.Add(label, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}
