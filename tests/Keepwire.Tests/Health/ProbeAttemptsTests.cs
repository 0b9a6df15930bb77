using System.Net;
using System.Net.Sockets;
using Keepwire.Health;
using Keepwire.Model;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Health;

/// <summary>
/// How one probe combines its parallel attempts, with scripted attempts and a fake clock: the timeout
/// fires only when the test advances the clock, so a probe that ends without it did not wait for it.
/// </summary>
public sealed class ProbeAttemptsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider fake = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private ScriptedAttempts Check(params Func<CancellationToken, Task<(bool, string)>>[] attempts) =>
        new(new CheckDefinition("http", CheckKind.Http) { Attempts = attempts.Length }, fake, attempts);

    /// <summary>Two attempts per probe; <paramref name="attempts"/> scripts them across several probes, in start order.</summary>
    private ScriptedAttempts TwoPerProbe(params Func<CancellationToken, Task<(bool, string)>>[] attempts) =>
        new(new CheckDefinition("http", CheckKind.Http) { Attempts = 2 }, fake, attempts);

    private static Task<(bool, string)> Refused(CancellationToken _) =>
        Task.FromException<(bool, string)>(new SocketException((int)SocketError.ConnectionRefused));

    private static async Task<(bool, string)> Silent(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return (true, "never");
    }

    [Fact]
    public async Task One_attempt_succeeding_is_a_success_and_the_other_is_stopped()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var check = Check(
            async ct =>
            {
                try
                {
                    return await Silent(ct);
                }
                catch (OperationCanceledException)
                {
                    stopped.SetResult();
                    throw;
                }
            },
            _ => Task.FromResult((true, "status 200")));

        var result = await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);

        Assert.True(result.Success);
        Assert.Equal("status 200", result.Detail);
        Assert.True(stopped.Task.IsCompleted, "the losing attempt was not cancelled");
    }

    [Fact]
    public async Task Every_attempt_refused_fails_at_once_without_waiting_for_the_timeout()
    {
        using var check = Check(Refused, Refused);
        var result = await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task A_refusal_waits_for_the_other_attempt_and_beats_its_timeout()
    {
        using var check = Check(Refused, Silent);
        var probe = check.ProbeAsync("a", IPAddress.Loopback);
        await check.WaitForAttemptsAsync(2, Patience);
        Assert.False(probe.IsCompleted);

        fake.Advance(TimeSpan.FromMilliseconds(250));
        var result = await probe.WaitAsync(Patience);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task An_answer_is_more_telling_than_an_error()
    {
        using var check = Check(Refused, _ => Task.FromResult((false, "status 503 (expected 200-399)")));
        var result = await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);
        Assert.Equal("status 503 (expected 200-399)", result.Detail);
    }

    [Fact]
    public async Task Every_attempt_silent_times_out()
    {
        using var check = Check(Silent, Silent);
        var probe = check.ProbeAsync("a", IPAddress.Loopback);
        await check.WaitForAttemptsAsync(2, Patience);
        fake.Advance(TimeSpan.FromMilliseconds(250));
        var result = await probe.WaitAsync(Patience);
        Assert.False(result.Success);
        Assert.Equal("timeout after 250 ms", result.Detail);
        Assert.True(result.TimedOut);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_failure()
    {
        using var check = Check(Silent, Silent);
        using var cancel = new CancellationTokenSource();
        var probe = check.ProbeAsync("a", IPAddress.Loopback, cancel.Token);
        await check.WaitForAttemptsAsync(2, Patience);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.WaitAsync(Patience));
    }

    private static Task<(bool, string)> Answers(CancellationToken _) => Task.FromResult((true, "status 200"));

    [Fact]
    public async Task Once_answers_are_known_the_next_attempt_starts_only_when_the_first_is_slow()
    {
        using var check = TwoPerProbe(Answers, Answers, Silent, Answers);
        // Nothing known yet: both attempts at once, as without hedging.
        Assert.True((await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience)).Success);
        Assert.Equal(2, check.Started);

        // The fake clock makes every answer take 0 ms, so the next probe hedges after the floor.
        var probe = check.ProbeAsync("a", IPAddress.Loopback);
        await check.WaitForAttemptsAsync(3, Patience);
        Assert.False(probe.IsCompleted);
        Assert.Equal(3, check.Started);

        fake.Advance(AttemptHedging.Floor);
        var result = await probe.WaitAsync(Patience);
        Assert.True(result.Success, result.Detail);
        Assert.Equal(4, check.Started);
    }

    [Fact]
    public async Task A_first_attempt_that_fails_outright_starts_the_next_at_once()
    {
        using var check = TwoPerProbe(Answers, Answers, Refused, Answers);
        await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);

        var result = await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);

        Assert.True(result.Success, result.Detail);
        Assert.Equal(4, check.Started);
    }

    [Fact]
    public async Task A_quick_answer_leaves_the_other_attempts_unstarted()
    {
        using var check = TwoPerProbe(Answers, Answers, Answers);
        await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience);

        Assert.True((await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(Patience)).Success);
        Assert.Equal(3, check.Started);
    }

    [Fact]
    public void Exec_checks_make_one_attempt_and_the_others_two_by_default()
    {
        Assert.Equal(2, new CheckDefinition("http", CheckKind.Http).Attempts);
        Assert.Equal(2, new CheckDefinition("udp", CheckKind.Udp) { Port = 7 }.Attempts);
        Assert.Equal(1, new CheckDefinition("script", CheckKind.Exec) { Attempts = 3 }.Attempts);
        Assert.Contains("check t: attempts must be between 1 and 8", new CheckDefinition("t", CheckKind.Tcp) { Port = 1, Attempts = 0 }.Validate());
    }

    /// <summary>A check whose n-th attempt of a probe (from 0) runs <c>attempts[n]</c>.</summary>
    private sealed class ScriptedAttempts(CheckDefinition definition, TimeProvider time, IReadOnlyList<Func<CancellationToken, Task<(bool, string)>>> attempts)
        : HealthCheck(definition, time)
    {
        private int started;

        public int Started => Volatile.Read(ref started);

        public Task WaitForAttemptsAsync(int count, TimeSpan patience) => Eventually.True(() => Volatile.Read(ref started) >= count, patience);

        protected override Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken) =>
            attempts[Interlocked.Increment(ref started) - 1](cancellationToken);
    }
}
