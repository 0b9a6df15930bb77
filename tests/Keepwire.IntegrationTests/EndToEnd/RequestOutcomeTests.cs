namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>Which failed requests a fault explains: the rule every failover test asserts with, on made-up outcomes.</summary>
public sealed class RequestOutcomeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 20, 54, 35, 755, TimeSpan.Zero);
    private static readonly Fault CutAndStop = new("hub1's link cut and alpha's nginx stopped", T0, T0.AddMilliseconds(8));

    private static RequestOutcome Refused(double startMs, double endMs) =>
        new(T0.AddMilliseconds(startMs), 7, null, T0.AddMilliseconds(endMs), 0, "http://[2001:db8:113::80]/", "curl: (7) Failed to connect");

    private static RequestOutcome Reset(double startMs, double connectedMs, double endMs) =>
        new(T0.AddMilliseconds(startMs), 56, T0.AddMilliseconds(connectedMs), T0.AddMilliseconds(endMs), 0, "http://203.0.113.80/", "curl: (56) Recv failure");

    [Fact]
    public void A_connect_refused_while_the_fault_was_being_caused_is_explained_by_it()
    {
        // The CI run's case: begun 2 ms before the fault, refused 1 ms before it was done.
        var result = new RequestLoopResult([Refused(-2, 7)]);
        Assert.Empty(result.FailuresNotInFlightAt(CutAndStop));
    }

    [Theory]
    [InlineData(-2, 9)] // refused 1 ms after the fault was done: a hub had its chance
    [InlineData(20, 25)] // begun and refused after it
    [InlineData(-30, -20)] // refused before it began
    public void A_connect_that_fails_outside_the_faults_own_span_is_a_failure(double startMs, double endMs)
    {
        var result = new RequestLoopResult([Refused(startMs, endMs)]);
        Assert.Single(result.FailuresNotInFlightAt(CutAndStop));
    }

    [Fact]
    public void A_connection_lost_after_the_fault_is_explained_only_if_it_was_up_when_the_fault_struck()
    {
        var upAtTheFault = Reset(-10, -9, 300);
        var connectedAfterIt = Reset(20, 21, 300);
        var result = new RequestLoopResult([upAtTheFault, connectedAfterIt]);
        Assert.Equal([connectedAfterIt], result.FailuresNotInFlightAt(CutAndStop));
    }
}
