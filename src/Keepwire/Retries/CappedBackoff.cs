namespace Keepwire.Retries;

/// <summary>
/// The pause before retry number <c>n</c> (1, 2, …) of something that keeps failing: <see cref="First"/>, then
/// doubling each time, never more than <see cref="Max"/>. Notifications and provider hooks each have their own.
/// </summary>
public sealed record CappedBackoff(TimeSpan First, TimeSpan Max)
{
    public TimeSpan Before(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var doublings = Math.Min(retry - 1, 16);
        var delay = First * (1L << doublings);
        return delay < Max ? delay : Max;
    }
}
