using System.Text.Json;

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
        new(true, Result: JsonSerializer.SerializeToElement(result, ControlJson.Info<T>()));

    /// <summary>Success with a sentence for the operator (<c>{"message": …}</c>).</summary>
    public static ControlResponse Success(string message) => Success(new ControlMessage(message));

    public static ControlResponse Success() => new(true);

    public static ControlResponse Failure(string error) => new(false, error);
}

/// <summary>The payload of a command that only reports what it did.</summary>
public sealed record ControlMessage(string Message);
