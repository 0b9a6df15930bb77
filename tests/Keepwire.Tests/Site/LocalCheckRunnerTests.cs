using Keepwire.Adapters.Processes;
using Keepwire.Model;
using Keepwire.Reports;
using Keepwire.Site;
using Keepwire.Tests.Adapters;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Site;

public sealed class LocalCheckRunnerTests
{
    private static readonly LocalCheck Replica = new("db-replica", ["/usr/local/bin/check-replica", "--max-lag", "10"], TimeSpan.FromSeconds(2));
    private static readonly LocalCheck Disk = new("disk", ["/usr/local/bin/check-disk"], TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Without_checks_the_site_reports_healthy_as_before()
    {
        var runner = new FakeCommandRunner((_, _, _) => throw new InvalidOperationException("no command should run"));

        var verdict = await new LocalCheckRunner(runner, new FakeTimeProvider()).RunAsync([], CancellationToken.None);

        Assert.Equal(new LocalCheckVerdict(true, "site agent running; no local checks failing"), verdict);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task Passing_checks_are_counted_and_run_as_argument_lists()
    {
        var runner = new FakeCommandRunner((_, _, _) => (0, "lag 2s\n", ""));

        var verdict = await new LocalCheckRunner(runner, new FakeTimeProvider()).RunAsync([Replica, Disk], CancellationToken.None);

        Assert.Equal(new LocalCheckVerdict(true, "2 local checks passing"), verdict);
        Assert.Contains(runner.Calls, c => c.Program == "/usr/local/bin/check-replica" && c.Arguments.SequenceEqual(["--max-lag", "10"]));
        Assert.Contains(runner.Calls, c => c.Program == "/usr/local/bin/check-disk" && c.Arguments.Count == 0);
    }

    [Fact]
    public async Task A_failing_check_makes_the_report_unhealthy_and_names_its_first_error_line()
    {
        var runner = new FakeCommandRunner((program, _, _) => program.EndsWith("check-replica", StringComparison.Ordinal)
            ? (1, "", "replica lag 42 s exceeds 10 s\nsecond line\n")
            : (0, "", ""));

        var verdict = await new LocalCheckRunner(runner, new FakeTimeProvider()).RunAsync([Replica, Disk], CancellationToken.None);

        Assert.Equal(new LocalCheckVerdict(false, "local check db-replica failed: exit 1: replica lag 42 s exceeds 10 s"), verdict);
    }

    [Fact]
    public async Task Every_failing_check_is_listed_falling_back_to_stdout_or_the_exit_code()
    {
        var runner = new FakeCommandRunner((program, _, _) => program.EndsWith("check-replica", StringComparison.Ordinal)
            ? (2, "no replica configured\n", "")
            : (3, "", ""));

        var verdict = await new LocalCheckRunner(runner, new FakeTimeProvider()).RunAsync([Replica, Disk], CancellationToken.None);

        Assert.False(verdict.Healthy);
        Assert.Equal("local check db-replica failed: exit 2: no replica configured; local check disk failed: exit 3", verdict.Reason);
    }

    [Fact]
    public async Task A_check_that_outlives_its_timeout_is_cancelled_and_fails()
    {
        var time = new FakeTimeProvider();
        var hanging = new HangingRunner();

        var pass = new LocalCheckRunner(hanging, time).RunAsync([Replica with { Timeout = TimeSpan.FromSeconds(1.5) }], CancellationToken.None);
        await hanging.Started.Task;
        Assert.False(pass.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.5));
        var verdict = await pass.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new LocalCheckVerdict(false, "local check db-replica failed: timeout after 1.5 s"), verdict);
        Assert.True(hanging.WasCancelled);
    }

    [Fact]
    public async Task Stopping_the_agent_is_not_reported_as_a_timeout()
    {
        var hanging = new HangingRunner();
        using var stopping = new CancellationTokenSource();

        var pass = new LocalCheckRunner(hanging, new FakeTimeProvider()).RunAsync([Replica], stopping.Token);
        await hanging.Started.Task;
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pass.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Many_failing_checks_still_fit_in_one_report_datagram()
    {
        var runner = new FakeCommandRunner((_, _, _) => (1, "", new string('x', 500)));
        var checks = Enumerable.Range(1, 20).Select(i => Disk with { Name = $"disk{i}" }).ToList();

        var verdict = await new LocalCheckRunner(runner, new FakeTimeProvider()).RunAsync(checks, CancellationToken.None);

        using var keys = new Tests.Reports.ReportKeys();
        var datagram = SiteReportCodec.Encode(Tests.Reports.ReportKeys.Report(healthy: verdict.Healthy, reason: verdict.Reason), keys.SiteSide);
        Assert.True(SiteReportCodec.TryDecode(datagram, keys.HubSide, out var report, out _));
        Assert.Equal(verdict.Reason, report.Reason);
        Assert.StartsWith("local check disk1 failed: exit 1: xxx", verdict.Reason, StringComparison.Ordinal);
    }

    /// <summary>A command that runs until it is cancelled, like a check stuck on a dead database.</summary>
    private sealed class HangingRunner : ICommandRunner
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool WasCancelled { get; private set; }

        public async Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null, int outputLimit = ICommandRunner.DefaultOutputLimit, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                WasCancelled = true;
                throw;
            }

            throw new InvalidOperationException("unreachable: the delay never ends on its own");
        }
    }
}
