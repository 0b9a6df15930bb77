using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// How often one probe stream probes: every <see cref="CheckDefinition.Interval"/> while its site passes, every
/// <see cref="CheckDefinition.FastInterval"/> while its verdict is in question, from a failed probe or a hastening
/// (the site refused a client, its liveness stream was lost) until <see cref="CheckDefinition.Rise"/> probes pass in
/// a row: HAProxy's <c>inter</c> and <c>fastinter</c>. A healthy site costs one probe an interval, and a failing one
/// is judged at the fast pace, since it takes <c>fall</c> failures in a row to move its services and <c>rise</c>
/// passes to bring them back.
/// Going into question wakes the beat loop, so the next probe starts at once rather than up to an interval later
/// (after a failure only when the fast pace differs: with one pace the next beat comes as soon anyway).
/// A new stream (at the hub's start, and every stream a reload builds) has no verdict yet, so it starts in question.
/// A reload also starts every site's count afresh (the engine keeps the decisions, not the counts), so each site
/// must rise again before it can take a service over: at the fast pace that takes <c>rise × fast_interval</c>; at the
/// steady pace it took two seconds, and a CI run saw alpha's link cut 0.3 s after a reload switch only 1.7 s after
/// liveness had found it lost, when bravo had risen again.
/// Thread-safe: the beat loop waits on it, the stream's reporter and the hub's loop change it.
/// </summary>
internal sealed class ProbeCadence(CheckDefinition definition)
{
    private readonly Lock _gate = new();
    private bool _inQuestion = true;
    private int _passesInARow;
    private TaskCompletionSource? _wake;

    /// <summary>The time to the next beat after this one.</summary>
    public TimeSpan Period
    {
        get
        {
            lock (_gate)
                return _inQuestion ? definition.FastInterval : definition.Interval;
        }
    }

    /// <summary>Whether the stream probes at the fast pace now.</summary>
    public bool InQuestion
    {
        get
        {
            lock (_gate)
                return _inQuestion;
        }
    }

    /// <summary>A probe's result, in the order the probes started: a failure puts the stream in question, rise passes in a row settle it.</summary>
    public void Reported(bool success)
    {
        lock (_gate)
        {
            if (!success)
            {
                _passesInARow = 0;
                // With one pace for both, the next beat is as soon as it would be anyway.
                BeginQuestion(wake: definition.FastInterval < definition.Interval);
                return;
            }
            if (_inQuestion && ++_passesInARow >= definition.Rise)
                _inQuestion = false;
        }
    }

    /// <summary>Puts the stream in question now: the next probe starts at once, the ones after it at the fast pace.</summary>
    public void Hasten()
    {
        lock (_gate)
        {
            _passesInARow = 0;
            BeginQuestion(wake: true);
        }
    }

    /// <summary>
    /// Waits <paramref name="wait"/> on <paramref name="time"/>'s clock, or less when the stream goes into question
    /// meanwhile (or did since the last wait); true then.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        Task woken;
        lock (_gate)
            woken = (_wake ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        if (!woken.IsCompleted && wait > TimeSpan.Zero)
        {
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(wait, time, cut.Token);
            if (await Task.WhenAny(delay, woken) == delay)
            {
                await delay;
                return false;
            }
            await cut.CancelAsync();
        }
        if (!woken.IsCompleted)
            return false;
        lock (_gate)
        {
            if (_wake?.Task == woken)
                _wake = null;
        }
        return true;
    }

    /// <summary>Under the gate: in question from now; a stream that was not is woken to probe at once if <paramref name="wake"/>.</summary>
    private void BeginQuestion(bool wake)
    {
        if (_inQuestion)
            return;
        _inQuestion = true;
        if (wake)
            (_wake ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
