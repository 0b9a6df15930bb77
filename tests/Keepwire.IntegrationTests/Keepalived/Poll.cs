using System.Diagnostics;

namespace Keepwire.IntegrationTests.Keepalived;

internal static class Poll
{
    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; returns how long that took, or throws after <paramref name="timeout"/>.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"not reached within {timeout.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
        return clock.Elapsed;
    }

    /// <summary>Asserts <paramref name="condition"/> holds at every check for <paramref name="period"/>.</summary>
    public static async Task HoldsForAsync(Func<Task<bool>> condition, TimeSpan period, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < period)
        {
            Assert.True(await condition(), $"stopped holding after {clock.Elapsed.TotalSeconds:0.00} s: {what}");
            await Task.Delay(50);
        }
    }
}
