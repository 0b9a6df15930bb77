using System.Net;
using Keepwire.Adapters.ProviderHooks;
using Keepwire.Hub.Pair;
using Keepwire.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Hub;

/// <summary>
/// The provider hook's runner on a fake clock with a fake hook: assign until confirmed with backoff, check on an
/// interval, assign again on drift, a hanging call killed at the timeout, and letting go ends everything at once.
/// </summary>
public sealed class ProviderHookRunnerTests
{
    private static readonly ProviderHookSettings Hook = new(["/usr/share/keepwire/provider-hooks/generic-http", "http://api"], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeProviderHook _hook;

    public ProviderHookRunnerTests() => _hook = new FakeProviderHook(_clock);

    [Fact]
    public void Backoff_doubles_from_200_ms_up_to_5_s()
    {
        Assert.Equal([0.2, 0.4, 0.8, 1.6, 3.2, 5, 5], Enumerable.Range(1, 7).Select(n => Math.Round(ProviderHookRunner.Backoff.Before(n).TotalSeconds, 3)));
        Assert.Equal(TimeSpan.FromSeconds(5), ProviderHookRunner.Backoff.Before(10_000));
    }

    [Fact]
    public async Task While_holding_the_VIPs_it_assigns_with_backoff_until_the_hook_exits_0_then_checks_every_interval()
    {
        _hook.AssignFailures = 3;
        await using var runner = new ProviderHookRunner(_hook, _clock, NullLogger.Instance);
        var start = _clock.GetUtcNow();

        runner.Want(Claim());
        // The first assign needs no time to pass: wait for it before the clock moves (CI once saw the clock stepped
        // 100 ms before the runner's loop got to it).
        await Eventually.True(() => _hook.Count(ProviderHookAction.Assign) >= 1);
        await RunClockUntilAsync(() => _hook.Count(ProviderHookAction.Check) == 2);

        var assigns = _hook.Calls(ProviderHookAction.Assign);
        Assert.Equal(4, assigns.Count);
        Assert.Equal(start, assigns[0].At);
        // The clock moves in steps, so a call can be seen late but never early.
        Assert.True(assigns[1].At - assigns[0].At >= TimeSpan.FromMilliseconds(200));
        Assert.True(assigns[2].At - assigns[1].At >= TimeSpan.FromMilliseconds(400));
        Assert.True(assigns[3].At - assigns[2].At >= TimeSpan.FromMilliseconds(800));
        Assert.Equal(["1", "2", "3", "4"], assigns.Select(a => a.Call.Environment["KEEPWIRE_ATTEMPT"]));
        var checks = _hook.Calls(ProviderHookAction.Check);
        Assert.True(checks[0].At - assigns[3].At >= Hook.CheckInterval);
        Assert.True(checks[1].At - checks[0].At >= Hook.CheckInterval);

        var call = assigns[3].Call;
        Assert.Equal(["http://api", "assign", "198.51.100.80", "2001:db8::80"], call.Arguments);
        Assert.Equal("hub1", call.Environment["KEEPWIRE_HUB"]);
        Assert.Equal("203.0.113.1", call.Environment["KEEPWIRE_HUB_ADDRESS"]);
        Assert.Equal("hub2", call.Environment["KEEPWIRE_PEER"]);
        Assert.Equal("198.51.100.80 2001:db8::80", call.Environment["KEEPWIRE_VIPS"]);
        Assert.Equal("assign", call.Environment["KEEPWIRE_HOOK_ACTION"]);
        Assert.Equal("check", checks[0].Call.Environment["KEEPWIRE_HOOK_ACTION"]);

        var status = runner.Status();
        Assert.Equal(("confirmed", 0, 1L, 3L), (status.State, status.ConsecutiveFailures, status.Assigns, status.Failures));
        Assert.StartsWith("assign exited with 1: provider says no", status.LastFailure);
    }

    [Fact]
    public async Task A_check_that_finds_the_route_moved_away_assigns_again_at_once()
    {
        await using var runner = new ProviderHookRunner(_hook, _clock, NullLogger.Instance);
        runner.Want(Claim());
        await RunClockUntilAsync(() => _hook.Count(ProviderHookAction.Check) == 1);
        _hook.Drifted = true; // the provider's route moved behind our back: the next check fails
        var driftCheck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _hook.HoldFailingCheck = driftCheck;

        // The failing check waits until the clock stands still, so "at once" means: without the clock moving.
        await RunClockUntilAsync(() => _hook.FailingCheckHeld);
        var drifted = _clock.GetUtcNow();
        driftCheck.SetResult();
        await Eventually.True(() => _hook.Count(ProviderHookAction.Assign) == 2);

        Assert.Equal(drifted, _hook.Calls(ProviderHookAction.Assign)[^1].At); // no backoff after a drift
        Assert.Equal(1, runner.Status().Drifts);
    }

    [Fact]
    public async Task A_call_that_hangs_is_killed_at_the_timeout_and_retried()
    {
        _hook.HangingAssigns = 1;
        await using var runner = new ProviderHookRunner(_hook, _clock, NullLogger.Instance);

        runner.Want(Claim());
        await RunClockUntilAsync(() => runner.Status().State == "confirmed");

        var assigns = _hook.Calls(ProviderHookAction.Assign);
        Assert.Equal(2, assigns.Count);
        Assert.Equal(1, _hook.Cancelled);
        Assert.True(assigns[1].At - assigns[0].At >= Hook.Timeout + ProviderHookRunner.Backoff.First);
        Assert.StartsWith("assign gave no answer within 2 s", runner.Status().LastFailure);
    }

    [Fact]
    public async Task Letting_the_VIPs_go_kills_the_call_in_flight_and_nothing_runs_afterwards()
    {
        _hook.HangingAssigns = int.MaxValue;
        await using var runner = new ProviderHookRunner(_hook, _clock, NullLogger.Instance);
        runner.Want(Claim());
        await Eventually.True(() => _hook.Count(ProviderHookAction.Assign) == 1);

        runner.Want(null); // returns at once, whatever the hook does
        await Eventually.True(() => _hook.Cancelled == 1 && runner.Status().State == "idle");
        for (var i = 0; i < 50; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(2);
        }

        Assert.Equal(1, _hook.Count(ProviderHookAction.Assign));
        Assert.Equal(0, _hook.Count(ProviderHookAction.Check));
    }

    [Fact]
    public async Task The_same_claim_on_every_pass_changes_nothing_and_another_one_starts_over()
    {
        await using var runner = new ProviderHookRunner(_hook, _clock, NullLogger.Instance);
        runner.Want(Claim());
        await Eventually.True(() => runner.Status().State == "confirmed");
        for (var i = 0; i < 20; i++)
            runner.Want(Claim()); // a new, equal claim each pass
        await Task.Delay(20);
        Assert.Equal(1, _hook.Count(ProviderHookAction.Assign));

        runner.Want(Claim("198.51.100.81"));
        await Eventually.True(() => _hook.Count(ProviderHookAction.Assign) == 2);
        Assert.Equal("198.51.100.81", _hook.Calls(ProviderHookAction.Assign)[1].Call.Environment["KEEPWIRE_VIPS"]);
    }

    private static VipClaim Claim(params string[] vips)
    {
        var hub1 = Node("hub1", "203.0.113.1");
        var hub2 = Node("hub2", "203.0.113.2");
        IPAddress[] addresses = vips.Length == 0 ? [IPAddress.Parse("198.51.100.80"), IPAddress.Parse("2001:db8::80")] : [.. vips.Select(IPAddress.Parse)];
        return VipClaim.For(Hook, hub1, hub2, addresses);
    }

    private static HubNode Node(string name, string pairAddress) =>
        new(name, new HostEndpoint(pairAddress, 51820), 51820, "kw0", "eth0", WireGuardKey.Parse(Configuration.ConfigText.HubKey), $"/etc/keepwire/{name}.key",
            TunnelAddresses.Host(IPAddress.Parse("10.77.0.1"), null), [])
        { PairAddress = IPAddress.Parse(pairAddress) };

    /// <summary>Moves the fake clock on in 100 ms steps, letting the worker run between them, until the condition holds.</summary>
    private async Task RunClockUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(2);
            if (!condition())
                _clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.True(condition());
    }

    /// <summary>Records every call with the fake clock's time; fails the first assigns, hangs some until cancelled, or fails checks.</summary>
    private sealed class FakeProviderHook(TimeProvider clock) : IProviderHook
    {
        private readonly Lock _gate = new();
        private readonly List<(ProviderHookCall Call, DateTimeOffset At)> _calls = [];
        private int _cancelled;

        public int AssignFailures;
        public int HangingAssigns;
        public volatile bool Drifted;

        /// <summary>A failing check waits for this before it answers (set <see cref="FailingCheckHeld"/> meanwhile).</summary>
        public TaskCompletionSource? HoldFailingCheck;
        public volatile bool FailingCheckHeld;

        public int Cancelled => Volatile.Read(ref _cancelled);

        public List<(ProviderHookCall Call, DateTimeOffset At)> Calls(ProviderHookAction action)
        {
            lock (_gate)
                return [.. _calls.Where(c => c.Call.Action == action)];
        }

        public int Count(ProviderHookAction action) => Calls(action).Count;

        public async Task<ProviderHookOutcome> RunAsync(ProviderHookCall call, CancellationToken cancellationToken)
        {
            bool hang;
            bool fail;
            lock (_gate)
            {
                _calls.Add((call, clock.GetUtcNow()));
                hang = call.Action == ProviderHookAction.Assign && HangingAssigns-- > 0;
                fail = call.Action == ProviderHookAction.Assign ? AssignFailures-- > 0 : Drifted;
                if (call.Action == ProviderHookAction.Assign)
                    Drifted = false;
            }

            if (call.Action == ProviderHookAction.Check && fail && HoldFailingCheck is { } hold)
            {
                FailingCheckHeld = true;
                await hold.Task.WaitAsync(cancellationToken);
            }

            if (hang)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _cancelled);
                    throw;
                }
            }

            return fail ? new ProviderHookOutcome(1, "provider says no\nmore detail") : new ProviderHookOutcome(0, "");
        }
    }
}
