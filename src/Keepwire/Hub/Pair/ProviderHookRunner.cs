using Keepwire.Adapters.ProviderHooks;
using Keepwire.Retries;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub.Pair;

/// <summary>
/// Keeps the provider routing the VIPs to this hub while it holds them, level-triggered: the hub loop says what it
/// wants on every pass (<see cref="Want"/>, which never waits), and this worker, beside the loop, runs
/// <c>HOOK assign VIP…</c> until it exits 0, retrying after a backoff (<see cref="Backoff"/>: 0.2 s doubling to 5 s),
/// then <c>HOOK check VIP…</c> every check interval, assigning again as soon as a check fails (the provider drifted,
/// or cannot say). Each call has the hook's timeout, after which its process group is killed.
/// When the hub lets the VIPs go, a call in flight is killed and nothing more runs: the hub that takes them assigns
/// them to itself, and a hub that gave them up must not pull them back. This is the opposite of keepalived's
/// notify_master, which runs once per transition, whatever becomes of it.
/// Nothing here is on the decision path: a hook that hangs delays no pass, no site failover and no peer.
/// </summary>
public sealed partial class ProviderHookRunner : IAsyncDisposable
{
    /// <summary>The pause after the nth failure in a row: 0.2 s, 0.4 s, 0.8 s, … up to 5 s.</summary>
    public static readonly CappedBackoff Backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    private readonly IProviderHook _hook;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Task _worker;

    private VipClaim? _wanted;
    private long _generation;
    private TaskCompletionSource _changed = NewSignal();
    private CancellationTokenSource _claimEnded = new();

    // Written by the worker, read by Status under the gate.
    private string _state = "idle";
    private DateTimeOffset? _confirmedAt;
    private int _consecutiveFailures;
    private string? _lastFailure;
    private DateTimeOffset? _lastFailureAt;
    private long _assigns;
    private long _checks;
    private long _drifts;
    private long _failures;

    public ProviderHookRunner(IProviderHook hook, TimeProvider time, ILogger logger)
    {
        _hook = hook;
        _time = time;
        _logger = logger;
        _worker = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// What the provider should do now: route <paramref name="claim"/>'s VIPs here, or (null) nothing. The same claim
    /// again changes nothing; another one ends the call in flight (its process group is killed) and starts over.
    /// </summary>
    public void Want(VipClaim? claim)
    {
        lock (_gate)
        {
            if (Equals(claim, _wanted))
                return;
            _wanted = claim;
            _generation++;
            _claimEnded.Cancel();
            _claimEnded.Dispose();
            _claimEnded = new CancellationTokenSource();
            _changed.TrySetResult();
            _changed = NewSignal();
        }
    }

    public ProviderHookStatus Status()
    {
        lock (_gate)
        {
            return new ProviderHookStatus(_state, [.. _wanted?.Vips.Select(v => v.ToString()) ?? []], _confirmedAt, _consecutiveFailures,
                _lastFailure, _lastFailureAt, _assigns, _checks, _drifts, _failures);
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        long confirmed = -1;
        var nextCheck = DateTimeOffset.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            VipClaim? claim;
            long generation;
            Task changed;
            CancellationToken claimEnded;
            lock (_gate)
                (claim, generation, changed, claimEnded) = (_wanted, _generation, _changed.Task, _claimEnded.Token);
            try
            {
                if (claim is null)
                {
                    confirmed = -1;
                    Update(() => (_state, _confirmedAt, _consecutiveFailures) = ("idle", null, 0));
                    await changed.WaitAsync(stopping);
                }
                else if (confirmed != generation)
                {
                    Update(() => _state = _consecutiveFailures == 0 ? "assigning" : "retrying");
                    if (await CallAsync(ProviderHookAction.Assign, claim, claimEnded, stopping))
                    {
                        confirmed = generation;
                        nextCheck = _time.GetUtcNow() + claim.Hook.CheckInterval;
                    }
                    else
                    {
                        await WaitAsync(Backoff.Before(_consecutiveFailures), changed, stopping);
                    }
                }
                else if (_time.GetUtcNow() < nextCheck)
                {
                    await WaitAsync(nextCheck - _time.GetUtcNow(), changed, stopping);
                }
                else if (await CallAsync(ProviderHookAction.Check, claim, claimEnded, stopping))
                {
                    nextCheck = _time.GetUtcNow() + claim.Hook.CheckInterval;
                }
                else
                {
                    // The provider no longer routes the VIPs here (or cannot say so): assign again at once, assign is idempotent.
                    confirmed = -1;
                    Update(() => _drifts++);
                    Log.Drifted(_logger, claim.VipText);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (claimEnded.IsCancellationRequested)
            {
                // The claim changed or ended while a call ran: its process group is gone; start from the new claim.
                confirmed = -1;
            }
        }
    }

    /// <summary>One call with the hook's timeout; true when it exited 0. Throws when the claim ended or the runner stops.</summary>
    private async Task<bool> CallAsync(ProviderHookAction action, VipClaim claim, CancellationToken claimEnded, CancellationToken stopping)
    {
        var attempt = Volatile.Read(ref _consecutiveFailures) + 1;
        var environment = new Dictionary<string, string>(claim.Environment, StringComparer.Ordinal)
        {
            ["KEEPWIRE_HOOK_ACTION"] = action == ProviderHookAction.Assign ? "assign" : "check",
            ["KEEPWIRE_ATTEMPT"] = attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var call = new ProviderHookCall(claim.Hook.Command, action, claim.Vips, environment);
        using var timeout = new CancellationTokenSource(claim.Hook.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, claimEnded, timeout.Token);
        string failure;
        try
        {
            var outcome = await _hook.RunAsync(call, linked.Token);
            if (outcome.Succeeded)
            {
                Succeeded(action, claim, attempt);
                return true;
            }

            failure = $"{call.ActionWord} exited with {outcome.ExitCode}{(outcome.FirstLine.Length > 0 ? ": " + outcome.FirstLine : "")}";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested && !claimEnded.IsCancellationRequested)
        {
            failure = $"{call.ActionWord} gave no answer within {claim.Hook.Timeout.TotalSeconds:0.###} s: its process group was killed";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = $"{call.ActionWord} could not run: {e.Message}";
        }

        Failed(failure, attempt);
        return false;
    }

    private void Succeeded(ProviderHookAction action, VipClaim claim, int attempt)
    {
        var now = _time.GetUtcNow();
        Update(() =>
        {
            (_state, _confirmedAt, _consecutiveFailures) = ("confirmed", now, 0);
            if (action == ProviderHookAction.Assign)
                _assigns++;
            else
                _checks++;
        });
        if (action == ProviderHookAction.Assign)
            Log.Confirmed(_logger, claim.VipText, attempt);
    }

    private void Failed(string failure, int attempt)
    {
        var now = _time.GetUtcNow();
        Update(() => (_state, _consecutiveFailures, _lastFailure, _lastFailureAt, _failures) = ("retrying", attempt, failure, now, _failures + 1));
        // The first failure of a run and every tenth after it: a provider that is down for an hour does not flood the log.
        if (attempt == 1 || attempt % 10 == 0)
            Log.CallFailed(_logger, failure, attempt, Backoff.Before(attempt).TotalSeconds);
        else
            Log.CallFailedAgain(_logger, failure, attempt);
    }

    /// <summary>Sleeps on the clock until <paramref name="delay"/> passed or the claim changed.</summary>
    private async Task WaitAsync(TimeSpan delay, Task changed, CancellationToken stopping)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sleep = Task.Delay(delay, _time, wake.Token);
        await Task.WhenAny(sleep, changed);
        await wake.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }

    private void Update(Action change)
    {
        lock (_gate)
            change();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends the call in flight (its process group is killed) and the worker; the provider keeps routing as it does.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _worker;
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting.
        }
        _stopping.Dispose();
        lock (_gate)
            _claimEnded.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "provider hook: the provider confirmed the VIPs ({Vips}) on this hub (attempt {Attempt})")]
        public static partial void Confirmed(ILogger logger, string vips, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "provider hook: {Failure} (attempt {Attempt}; retrying in {Seconds} s, then with backoff up to 5 s)")]
        public static partial void CallFailed(ILogger logger, string failure, int attempt, double seconds);

        [LoggerMessage(Level = LogLevel.Debug, Message = "provider hook: {Failure} (attempt {Attempt})")]
        public static partial void CallFailedAgain(ILogger logger, string failure, int attempt);

        [LoggerMessage(Level = LogLevel.Warning, Message = "provider hook: check failed, the provider no longer routes {Vips} here: assigning them again")]
        public static partial void Drifted(ILogger logger, string vips);
    }
}
