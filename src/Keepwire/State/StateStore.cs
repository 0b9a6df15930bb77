using System.Text.Json;

namespace Keepwire.State;

/// <summary>
/// Keeps <see cref="OperatorIntent"/> in <c>STATE_DIR/intent.json</c>. Writes go to a temporary
/// file that is renamed over the old one, so a crash mid-write never leaves a torn file.
/// </summary>
public sealed class StateStore(string stateDirectory)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string StateDirectory { get; } = stateDirectory;

    private string IntentPath => Path.Combine(StateDirectory, "intent.json");

    public OperatorIntent LoadIntent()
    {
        if (!File.Exists(IntentPath))
            return OperatorIntent.None;
        try
        {
            var stored = JsonSerializer.Deserialize<StoredIntent>(File.ReadAllText(IntentPath), JsonOptions);
            return stored is null
                ? OperatorIntent.None
                : new OperatorIntent(stored.PinnedSiteByService ?? [], stored.DrainedSites ?? []);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{IntentPath}: not a valid state file ({e.Message}); move it away to start without operator pins and drains", e);
        }
    }

    public void SaveIntent(OperatorIntent intent)
    {
        Directory.CreateDirectory(StateDirectory);
        var temporary = IntentPath + ".tmp";
        var stored = new StoredIntent(new Dictionary<string, string>(intent.PinnedSiteByService), [.. intent.DrainedSites]);
        File.WriteAllText(temporary, JsonSerializer.Serialize(stored, JsonOptions));
        File.Move(temporary, IntentPath, overwrite: true);
    }

    private sealed record StoredIntent(Dictionary<string, string>? PinnedSiteByService, List<string>? DrainedSites);
}
