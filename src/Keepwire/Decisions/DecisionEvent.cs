namespace Keepwire.Decisions;

/// <summary>One switch (or restore) in a service's history, for `keepwire status` and the log.</summary>
/// <param name="Detail">Why, in words: "a: http check failed 3×: connection refused".</param>
public sealed record DecisionEvent(
    DateTimeOffset Time,
    string Service,
    string? From,
    string? To,
    DecisionReason Reason,
    string Detail,
    bool Planned,
    bool Automatic,
    long Epoch)
{
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {Service}: {From ?? "(none)"} → {To ?? "(none)"} [{Reason}{(Planned ? ", planned" : "")}] {Detail}";
}
