namespace Keepwire.Notifications;

/// <summary>The pause before retry number <c>n</c> (1, 2, …): 1 s, 2 s, 4 s, … doubling up to 30 s.</summary>
public static class RetryBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    public static TimeSpan Before(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var doublings = Math.Min(retry - 1, 16);
        var delay = First * (1L << doublings);
        return delay < Max ? delay : Max;
    }
}
