using CsCheck;
using Keepwire.State;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// Whatever the state files hold, a starting hub reads them as far as they make sense and never throws:
/// random bytes, and JSON close to what the files really hold with values of every wrong kind.
/// </summary>
public sealed class StateFileFuzzTests : IDisposable
{
    private static readonly Gen<string> JsonValue = Gen.Recursive<string>((depth, value) =>
    {
        var scalar = Gen.OneOf(
            Gen.Const("null"), Gen.Const("true"), Gen.Const("-1"), Gen.Const("1e999"), Gen.Const("9223372036854775808"), Gen.Const("0.5"),
            Gen.Const("\"web\""), Gen.Const("\"alpha\""), Gen.Const("\"2025-01-02T03:04:05Z\""), Gen.Const("\"9999-99-99\""), Gen.Const("\"\\u0000\\ud800\""),
            Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            FuzzGen.Text.Select(text => System.Text.Json.JsonSerializer.Serialize(text)));
        if (depth > 4)
            return scalar;
        var field = Gen.OneOf(
            Gen.Const("service"), Gen.Const("servingSite"), Gen.Const("epoch"), Gen.Const("since"), Gen.Const("lastAutomaticSwitch"),
            Gen.Const("pinnedSiteByService"), Gen.Const("drainedSites"), Gen.Const("web"), Gen.String.AlphaNumeric);
        var array = value.Array[0, 6].Select(items => $"[{string.Join(',', items)}]");
        var obj = Gen.Select(field, value).Array[0, 6].Select(entries => $"{{{string.Join(',', entries.Select(e => $"\"{e.Item1}\":{e.Item2}"))}}}");
        return Gen.Frequency((4, scalar), (2, array), (3, obj));
    });

    private static readonly Gen<byte[]> Contents = Gen.Frequency(
        (3, JsonValue.Select(System.Text.Encoding.UTF8.GetBytes)),
        (1, FuzzGen.Bytes));

    private readonly string directory = Directory.CreateTempSubdirectory("keepwire-state-fuzz-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Any_journal_loads_without_throwing() =>
        Fuzz.Property(Contents, bytes =>
        {
            var stateDirectory = Directory.CreateDirectory(Path.Combine(directory, Guid.NewGuid().ToString("N"))).FullName;
            File.WriteAllBytes(Path.Combine(stateDirectory, "decisions.json"), bytes);

            var records = Bounded.Run(() => new DecisionJournal(stateDirectory, new RecordingLogger()).Load());

            Assert.All(records, pair => Assert.True(pair.Key == pair.Value.Service && pair.Value.Epoch >= 0));
        });

    [Fact]
    public void Any_intent_loads_without_throwing() =>
        Fuzz.Property(Contents, bytes =>
        {
            var stateDirectory = Directory.CreateDirectory(Path.Combine(directory, Guid.NewGuid().ToString("N"))).FullName;
            File.WriteAllBytes(Path.Combine(stateDirectory, "intent.json"), bytes);

            var intent = Bounded.Run(() => new StateStore(stateDirectory, new RecordingLogger()).LoadIntent());

            Assert.All(intent.PinnedSiteByService, pin => Assert.NotNull(pin.Value));
            Assert.Equal(intent.DrainedSites.Distinct().Count(), intent.DrainedSites.Count);
        });
}
