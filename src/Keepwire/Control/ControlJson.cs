using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Hub;
using Keepwire.Site;
using Keepwire.Text;

namespace Keepwire.Control;

/// <summary>
/// The control socket's JSON: snake_case names and enum values, nulls left out. Every type that crosses the socket
/// is listed in <see cref="ControlJsonContext"/>, so nothing is serialized by reflection: the hub runs as a native
/// (ahead-of-time compiled) program, which has none.
/// </summary>
public static class ControlJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        TypeInfoResolver = ControlJsonContext.Default,
        // One converter per enum that crosses the socket (the non-generic converter makes its generic one by
        // reflection). ControlJsonTests fails for an enum missing here, which would otherwise go out as a number.
        Converters =
        {
            SnakeCase<HealthState>(),
            SnakeCase<DecisionReason>(),
            SnakeCase<HubNoteKind>(),
        },
    };

    /// <summary>The serializer's contract for <typeparamref name="T"/> under <see cref="Options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>() => Options.Contract<T>();

    private static JsonStringEnumConverter<T> SnakeCase<T>()
        where T : struct, Enum => new(JsonNamingPolicy.SnakeCaseLower);
}

/// <summary>Everything that crosses the control socket, each request and answer payload with what it holds.</summary>
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
[JsonSerializable(typeof(ControlMessage))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(HubStatus))]
[JsonSerializable(typeof(SiteAgentStatus))]
[JsonSerializable(typeof(IReadOnlyList<DecisionEvent>))]
[JsonSerializable(typeof(List<DecisionEvent>))]
[JsonSerializable(typeof(IReadOnlyList<HubNote>))]
[JsonSerializable(typeof(List<HubNote>))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
