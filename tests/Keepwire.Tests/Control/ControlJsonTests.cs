using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Hub;
using Keepwire.Site;

namespace Keepwire.Tests.Control;

/// <summary>
/// The control socket's JSON comes from source-generated contracts (the hub runs ahead-of-time compiled, without
/// reflection): every type in a payload must be known to them, and every enum must go out as a snake_case word.
/// </summary>
public sealed class ControlJsonTests
{
    public static TheoryData<Type> Payloads() =>
        [typeof(ControlRequest), typeof(ControlResponse), typeof(ControlMessage), typeof(HubStatus), typeof(SiteAgentStatus),
         typeof(IReadOnlyList<DecisionEvent>), typeof(List<DecisionEvent>), typeof(IReadOnlyList<HubNote>), typeof(List<HubNote>)];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Every_enum_in_a_payload_is_written_as_a_snake_case_word(Type payload)
    {
        var enums = new List<Type>();
        Walk(ControlJson.Options.GetTypeInfo(payload), [], enums);
        foreach (var type in enums)
        {
            var first = Enum.GetValues(type).GetValue(0)!;
            var written = JsonSerializer.Serialize(first, ControlJson.Options.GetTypeInfo(type));
            // Without its converter in ControlJson.Options an enum goes out as a number.
            Assert.True($"\"{JsonNamingPolicy.SnakeCaseLower.ConvertName(first.ToString()!)}\"" == written, $"{type.Name} in {payload.Name} is written as {written}");
        }
    }

    [Fact]
    public void A_type_not_in_the_contracts_is_refused_rather_than_serialized_by_reflection()
    {
        Assert.Throws<NotSupportedException>(() => ControlJson.Options.GetTypeInfo(typeof(Uri)));
    }

    [Fact]
    public void A_message_answer_reads_as_before()
    {
        var response = ControlResponse.Success("reloaded /etc/keepwire/keepwire.yaml");
        Assert.Equal("""{"message":"reloaded /etc/keepwire/keepwire.yaml"}""", response.Result!.Value.GetRawText());
    }

    [Fact]
    public void A_decision_event_round_trips_with_its_reason_as_a_word()
    {
        IReadOnlyList<DecisionEvent> events =
            [new(DateTimeOffset.UnixEpoch, "web", "a", "b", DecisionReason.Failover, "a: http check failed 3×", Planned: false, Automatic: true, Epoch: 7)];
        var json = JsonSerializer.Serialize(events, ControlJson.Info<IReadOnlyList<DecisionEvent>>());
        Assert.Contains("\"reason\":\"failover\"", json, StringComparison.Ordinal);
        Assert.Equal(events, JsonSerializer.Deserialize(json, ControlJson.Info<List<DecisionEvent>>()));
    }

    private static void Walk(JsonTypeInfo info, HashSet<Type> seen, List<Type> enums)
    {
        if (!seen.Add(info.Type))
            return;
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type.IsEnum)
        {
            enums.Add(type);
            return;
        }
        foreach (var property in info.Properties)
            Walk(ControlJson.Options.GetTypeInfo(property.PropertyType), seen, enums);
        if (info.ElementType is { } element)
            Walk(ControlJson.Options.GetTypeInfo(element), seen, enums);
        if (info.KeyType is { } key)
            Walk(ControlJson.Options.GetTypeInfo(key), seen, enums);
    }
}
