using System.Text.Json;
using System.Text.Json.Serialization;
using Keepwire.Files;
using Keepwire.Text;
using Microsoft.Extensions.Logging;

namespace Keepwire.State;

/// <summary>
/// Reads and writes the hub's state files (JSON in STATE_DIR). They are input like any other: a file that is
/// too large, too deeply nested, unreadable or not JSON is logged and read as absent, so the hub starts without
/// what it held (continuity of decisions, operator pins) rather than not at all. Writes are atomic and durable
/// (<see cref="AtomicFile"/>).
/// </summary>
internal static class StateFile
{
    /// <summary>Thousands of services' decisions fit in a small fraction of this.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>The files are a list of flat records or a mapping of short lists: nothing nests deeper than this.</summary>
    public const int MaxDepth = 8;

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        MaxDepth = MaxDepth,
        TypeInfoResolver = StateJsonContext.Default,
    };

    /// <summary>The file's content, or null when it is absent or unusable (then logged, with what is lost).</summary>
    /// <param name="lost">What starting without the file costs, for the log line: "decision continuity".</param>
    public static T? Read<T>(string path, ILogger logger, string lost)
        where T : class
    {
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAtMost(path, MaxBytes);
        }
        catch (FileReadException e) when (e.Problem == FileReadProblem.Missing)
        {
            return null;
        }
        catch (FileReadException e)
        {
            Log.StateFileUnusable(logger, path, e.Message, lost);
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, JsonOptions.Contract<T>());
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            Log.StateFileUnusable(logger, path, $"not a valid state file: {e.Message}", lost);
            return null;
        }
    }

    public static void Write<T>(string path, T value) =>
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(value, JsonOptions.Contract<T>()), AtomicFile.OwnerOnly);
}

/// <summary>The state files' contents, serialized without reflection (the hub runs ahead-of-time compiled).</summary>
[JsonSerializable(typeof(StateStore.StoredIntent))]
[JsonSerializable(typeof(List<DecisionRecord?>))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
