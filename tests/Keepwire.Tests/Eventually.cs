using System.Runtime.CompilerServices;

namespace Keepwire.Tests;

/// <summary>
/// Waits, in a test, for background work (a listener, a queue, a relay, a daemon loop) to get somewhere: polls
/// a condition until it holds, with a generous patience, so a slow machine makes a test slower but never red.
/// A condition that never holds fails the test with its own text.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static Task True(Func<bool> condition, TimeSpan? patience = null, [CallerArgumentExpression(nameof(condition))] string what = "") =>
        True(() => Task.FromResult(condition()), patience, what);

    public static async Task True(Func<Task<bool>> condition, TimeSpan? patience = null, [CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var wait = patience ?? DefaultPatience;
        var deadline = DateTime.UtcNow + wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {wait.TotalSeconds:0} s: {what}");
            await Task.Delay(PollInterval);
        }
    }
}
