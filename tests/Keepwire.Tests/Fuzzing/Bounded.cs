namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// Runs one parser call on a thread of its own, with a small stack and a time limit. A stack overflow cannot be
/// caught (it kills the test host), so a depth limit has to hold with room to spare: one that holds on
/// <see cref="FuzzSettings.SmallStackBytes"/> holds with a wide margin on a daemon thread's 8 MB. An input that
/// hangs fails the property instead of stalling the suite.
/// </summary>
internal static class Bounded
{
    /// <summary>The result of <paramref name="parse"/>; rethrows what it threw, or throws <see cref="TimeoutException"/> on a hang.</summary>
    public static T Run<T>(Func<T> parse)
    {
        T result = default!;
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = parse();
            }
            catch (Exception e)
            {
                thrown = e;
            }
        }, FuzzSettings.SmallStackBytes)
        {
            IsBackground = true,
            Name = "fuzz input",
        };
        thread.Start();
        if (!thread.Join(FuzzSettings.InputTimeLimit))
            throw new TimeoutException($"one input took longer than {FuzzSettings.InputTimeLimit.TotalSeconds} s");
        if (thrown is not null)
            throw new InvalidOperationException($"the parser threw {thrown.GetType().Name}: {thrown.Message}", thrown);
        return result;
    }
}
