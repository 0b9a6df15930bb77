namespace Keepwire.Decisions;

/// <summary>One probe's outcome: an observation the decision core counts.</summary>
/// <param name="Site">The site probed.</param>
/// <param name="Check">The <see cref="Model.CheckDefinition.Name"/> of the check.</param>
/// <param name="Time">When the probe finished.</param>
/// <param name="Detail">What a human should read: "status 200", "connection refused", "timeout after 250 ms".</param>
public sealed record CheckResult(string Site, string Check, DateTimeOffset Time, bool Success, string Detail)
{
    /// <summary>
    /// The probe failed only because nothing answered within its timeout: no refusal, no error, no bad answer.
    /// Only such a failure can be the hub's own fault (it stalled while the answer waited), so only it can be
    /// judged inconclusive (<see cref="Engine.StallRule"/>).
    /// </summary>
    public bool TimedOut { get; init; }

    public static CheckResult Passed(string site, string check, DateTimeOffset time, string detail) => new(site, check, time, true, detail);

    public static CheckResult Failed(string site, string check, DateTimeOffset time, string detail) => new(site, check, time, false, detail);
}
