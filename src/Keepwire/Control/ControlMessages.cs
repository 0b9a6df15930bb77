using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keepwire.Control;

/// <summary>
/// One request on the control socket: a command name and its string arguments.
/// The wire format is one JSON object per line each way, so it is easy to drive with socat.
/// </summary>
public sealed record ControlRequest(string Command, IReadOnlyDictionary<string, string>? Arguments = null)
{
    public string? Argument(string name) => Arguments is not null && Arguments.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The answer: ok or an error a user can act on, and an optional JSON payload.</summary>
public sealed record ControlResponse(bool Ok, string? Error = null, JsonElement? Result = null)
{
    public static ControlResponse Success<T>(T result) =>
        new(true, Result: JsonSerializer.SerializeToElement(result, ControlJson.Options));

    public static ControlResponse Success() => new(true);

    public static ControlResponse Failure(string error) => new(false, error);
}

public static class ControlJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };
}
