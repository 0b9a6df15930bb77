using System.Threading.Channels;
using Keepwire.Hub;

namespace Keepwire.Tests.Hub;

public sealed class InputWaitsTests
{
    private static Channel<int> Input() => Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });

    [Fact]
    public async Task A_wait_is_kept_from_round_to_round_until_its_channel_has_something()
    {
        var inputs = new InputWaits();
        var channel = Input();

        var first = inputs.For(channel.Reader, CancellationToken.None);
        inputs.EndRound();
        var second = inputs.For(channel.Reader, CancellationToken.None);
        inputs.EndRound();

        Assert.Same(first, second);
        Assert.False(first.IsCompleted);
        channel.Writer.TryWrite(1);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(first.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_completed_wait_is_followed_by_a_new_one_once_the_channel_is_read()
    {
        var inputs = new InputWaits();
        var channel = Input();
        channel.Writer.TryWrite(1);
        var woken = inputs.For(channel.Reader, CancellationToken.None);
        inputs.EndRound();
        Assert.True(channel.Reader.TryRead(out _));

        var next = inputs.For(channel.Reader, CancellationToken.None);

        Assert.NotSame(woken, next);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public void The_wait_of_a_channel_not_asked_for_in_a_round_is_let_go()
    {
        var inputs = new InputWaits();
        var replaced = Input();
        var kept = Input();
        var old = inputs.For(replaced.Reader, CancellationToken.None);
        var keptWait = inputs.For(kept.Reader, CancellationToken.None);
        inputs.EndRound();

        inputs.For(kept.Reader, CancellationToken.None);
        inputs.EndRound();

        Assert.NotSame(old, inputs.For(replaced.Reader, CancellationToken.None));
        Assert.Same(keptWait, inputs.For(kept.Reader, CancellationToken.None));
    }

    [Fact]
    public async Task Stopping_cancels_the_kept_waits()
    {
        var inputs = new InputWaits();
        using var stopping = new CancellationTokenSource();
        var wait = inputs.For(Input().Reader, stopping.Token);
        inputs.EndRound();

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
