using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Tests.Decisions;

/// <summary>The words a decision gives for a site that is still unhealthy but has begun to recover.</summary>
public sealed class CheckReasonTests
{
    private static readonly DateTimeOffset T0 = DeciderHarness.Start;
    private static readonly CheckDefinition Http = new("http", CheckKind.Http) { Rise = 3, Fall = 2 };

    [Fact]
    public void An_unhealthy_check_with_a_success_names_the_failure_and_how_far_it_has_recovered()
    {
        var tracker = new HealthTracker(["a"], [Http]);
        tracker.Record(CheckResult.Failed("a", "http", T0, "connection refused"));
        tracker.Record(CheckResult.Failed("a", "http", T0.AddMilliseconds(100), "connection refused"));
        tracker.Record(CheckResult.Passed("a", "http", T0.AddMilliseconds(200), "status 200"));

        var health = tracker.Evaluate("a", T0.AddMilliseconds(200));

        Assert.Equal(HealthState.Unhealthy, health.State);
        Assert.Equal("http check failed: connection refused (recovering: 1 of 3 successes)", health.Reason);
    }
}
