namespace Keepwire.Security;

/// <summary>Why <see cref="ReplayWindow"/> refused a message.</summary>
public enum ReplayVerdict
{
    Admitted,

    /// <summary>Sent-at outside the freshness window of this host's clock.</summary>
    Stale,

    /// <summary>This (boot, sequence) was admitted already.</summary>
    Duplicate,

    /// <summary>Older than the newest admitted message: an earlier sequence of this boot, or an older boot.</summary>
    OutOfOrder,
}

/// <summary>
/// Orders the authenticated messages of one sender, which stamps each with a boot id (new per process
/// start), a sequence (from 1 per boot) and its clock. Within a boot the sequence must grow (a 64-message
/// window tells duplicates from reordering); a new boot is admitted when its sent-at is newer than
/// anything seen, which is how a restarted sender is recognised without it remembering its sequence.
/// Sent-at must lie within the freshness window of this host's clock, which bounds how long a message can
/// be held back and replayed, and requires the two clocks to agree (NTP). Not thread-safe.
/// </summary>
public sealed class ReplayWindow
{
    private const int Window = 64;

    private readonly TimeSpan _freshness;
    private readonly TimeProvider _time;
    private Guid? _boot;
    private long _highest;

    /// <summary>Bit i: sequence <c>_highest - i</c> was admitted.</summary>
    private ulong _seen;
    private DateTimeOffset _newestSentAt = DateTimeOffset.MinValue;

    /// <param name="freshness">How far sent-at may be from now, either way.</param>
    public ReplayWindow(TimeSpan freshness, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(freshness, TimeSpan.Zero);
        _freshness = freshness;
        _time = time;
    }

    /// <summary>Admits the message or says why not; only an admitted message moves the window.</summary>
    public ReplayVerdict Admit(Guid boot, long sequence, DateTimeOffset sentAt)
    {
        if ((_time.GetUtcNow() - sentAt).Duration() > _freshness)
            return ReplayVerdict.Stale;
        if (boot != _boot)
        {
            // A boot we have not seen: the sender restarted, unless it is older than what we have (a straggler).
            if (sentAt <= _newestSentAt)
                return ReplayVerdict.OutOfOrder;
            _boot = boot;
            _highest = sequence;
            _seen = 1;
        }
        else if (sequence > _highest)
        {
            var shift = sequence - _highest;
            _seen = shift >= Window ? 1 : (_seen << (int)shift) | 1;
            _highest = sequence;
        }
        else
        {
            var age = _highest - sequence;
            return age < Window && (_seen & (1UL << (int)age)) != 0 ? ReplayVerdict.Duplicate : ReplayVerdict.OutOfOrder;
        }

        if (sentAt > _newestSentAt)
            _newestSentAt = sentAt;
        return ReplayVerdict.Admitted;
    }
}
