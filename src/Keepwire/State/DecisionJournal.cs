using System.Text.Json;

namespace Keepwire.State;

/// <summary>The part of a service's decision that must survive a daemon restart.</summary>
public sealed record DecisionRecord(string Service, string? ServingSite, long Epoch, DateTimeOffset Since, DateTimeOffset? LastAutomaticSwitch);

/// <summary>
/// Keeps the last decision per service in <c>STATE_DIR/decisions.json</c>, so a restarted hub
/// continues with the site that was serving (same epoch, same hold-down) instead of flipping.
/// Written atomically (temporary file + rename) after every switch.
/// </summary>
public sealed class DecisionJournal(string stateDirectory)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private string FilePath => Path.Combine(stateDirectory, "decisions.json");

    public IReadOnlyDictionary<string, DecisionRecord> Load()
    {
        if (!File.Exists(FilePath))
            return new Dictionary<string, DecisionRecord>();
        try
        {
            var records = JsonSerializer.Deserialize<List<DecisionRecord>>(File.ReadAllText(FilePath), JsonOptions) ?? [];
            return records.ToDictionary(r => r.Service);
        }
        catch (JsonException)
        {
            // A damaged journal only costs continuity: the kernel's table still says who serves.
            return new Dictionary<string, DecisionRecord>();
        }
    }

    public void Save(IEnumerable<DecisionRecord> records)
    {
        Directory.CreateDirectory(stateDirectory);
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(records.ToList(), JsonOptions));
        File.Move(temporary, FilePath, overwrite: true);
    }
}
