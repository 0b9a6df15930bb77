namespace Keepwire.Engine;

/// <summary>
/// The hub's recent stalls, as the evidence reported them (the loop-lag monitor, late timeouts), merged where they
/// overlap and kept for <see cref="Kept"/>: long enough for any probe still to report, bounded however often the
/// hub stalls. A stall may be reported twice (an open one, then closed): merging makes that harmless.
/// </summary>
internal sealed class HubStalls
{
    /// <summary>Stalls older than this are forgotten: no probe still to report can have started before them.</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromMinutes(2);

    /// <summary>At most this many disjoint stalls are kept (the oldest go first), so a hub that stalls constantly stays bounded.</summary>
    public const int MaxKept = 1024;

    // Disjoint and in order of time.
    private readonly List<HubStall> _stalls = [];

    public int Count => _stalls.Count;

    public void Add(HubStall stall)
    {
        if (stall.End <= stall.Start)
            return;
        var start = stall.Start;
        var end = stall.End;
        var at = 0;
        while (at < _stalls.Count && _stalls[at].End < start)
            at++;
        while (at < _stalls.Count && _stalls[at].Start <= end)
        {
            start = _stalls[at].Start < start ? _stalls[at].Start : start;
            end = _stalls[at].End > end ? _stalls[at].End : end;
            _stalls.RemoveAt(at);
        }
        _stalls.Insert(at, new HubStall(start, end));
        if (_stalls.Count > MaxKept)
            _stalls.RemoveRange(0, _stalls.Count - MaxKept);
    }

    /// <summary>How long the hub was stalled within [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public TimeSpan Within(DateTimeOffset from, DateTimeOffset to)
    {
        var total = TimeSpan.Zero;
        foreach (var stall in _stalls)
        {
            if (stall.Start >= to)
                break;
            total += stall.Within(from, to);
        }
        return total;
    }

    /// <summary>Forgets the stalls that ended more than <see cref="Kept"/> before <paramref name="now"/>.</summary>
    public void Forget(DateTimeOffset now)
    {
        var before = now - Kept;
        var old = 0;
        while (old < _stalls.Count && _stalls[old].End < before)
            old++;
        _stalls.RemoveRange(0, old);
    }
}
