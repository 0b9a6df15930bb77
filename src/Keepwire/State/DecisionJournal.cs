using Keepwire.Configuration.Parsing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.State;

/// <summary>The part of a service's decision that must survive a daemon restart.</summary>
public sealed record DecisionRecord(string Service, string? ServingSite, long Epoch, DateTimeOffset Since, DateTimeOffset? LastAutomaticSwitch);

/// <summary>
/// Keeps the last decision per service in <c>STATE_DIR/decisions.json</c>, so a restarted hub
/// continues with the site that was serving (same epoch, same hold-down) instead of flipping.
/// Written atomically and durably after every switch.
/// </summary>
/// <remarks>
/// The journal only buys continuity, so reading it never stops a hub from starting: an unusable file reads as
/// empty, and entries that cannot be right are dropped, each case logged. A service listed twice keeps the
/// entry with the higher epoch, as epochs only grow.
/// </remarks>
public sealed class DecisionJournal(string stateDirectory, ILogger? logger = null)
{
    private const string Lost = "the continuity of the serving sites: each service chooses afresh";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    private string FilePath => Path.Combine(stateDirectory, "decisions.json");

    public IReadOnlyDictionary<string, DecisionRecord> Load()
    {
        var records = StateFile.Read<List<DecisionRecord?>>(FilePath, _logger, Lost) ?? [];
        var kept = new Dictionary<string, DecisionRecord>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (record, index) in records.Select((record, index) => (record, index)))
        {
            if (Problem(record) is { } problem)
            {
                problems.Add($"entry {index + 1}: {problem}");
                continue;
            }

            var valid = record!;
            if (kept.TryGetValue(valid.Service, out var other))
            {
                problems.Add($"entry {index + 1}: service '{valid.Service}' again");
                if (valid.Epoch <= other.Epoch)
                    continue;
            }

            kept[valid.Service] = valid;
        }

        if (problems.Count > 0)
            Log.StateEntriesDropped(_logger, FilePath, problems.Count, string.Join("; ", problems.Take(3)), kept.Count);
        return kept;
    }

    public void Save(IEnumerable<DecisionRecord> records) => StateFile.Write(FilePath, records.ToList());

    private static string? Problem(DecisionRecord? record) => record switch
    {
        null => "empty",
        { Service: null } => "no service",
        _ when NameSyntax.CheckName(record.Service) is not null => "not a service name",
        { ServingSite: { } site } when NameSyntax.CheckName(site) is not null => "not a site name",
        { Epoch: < 0 } => $"epoch {record.Epoch}",
        _ => null,
    };
}
