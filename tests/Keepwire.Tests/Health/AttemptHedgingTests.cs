using Keepwire.Health;

namespace Keepwire.Tests.Health;

public sealed class AttemptHedgingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    private static AttemptHedging After(params int[] answersMs)
    {
        var hedging = new AttemptHedging();
        foreach (var ms in answersMs)
            hedging.Answered(TimeSpan.FromMilliseconds(ms));
        return hedging;
    }

    [Fact]
    public void Before_any_answer_every_attempt_starts_at_once() =>
        Assert.Equal(TimeSpan.Zero, new AttemptHedging().DelayWithin(Timeout));

    [Theory]
    [InlineData(1, 10)]    // a quick site: the floor
    [InlineData(20, 60)]   // three usual answer times
    [InlineData(100, 50)]  // but late enough to leave the others two usual answer times: 250 − 2 × 100
    [InlineData(130, 0)]   // no room for that: at once, as parallel attempts
    public void The_hedge_waits_a_few_usual_answer_times_but_leaves_the_others_room(int usualMs, int delayMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(delayMs), After(usualMs).DelayWithin(Timeout));

    [Fact]
    public void The_usual_answer_time_is_smoothed()
    {
        var hedging = After(10, 20);
        Assert.Equal(TimeSpan.FromMilliseconds(12), hedging.Usual);
    }
}
