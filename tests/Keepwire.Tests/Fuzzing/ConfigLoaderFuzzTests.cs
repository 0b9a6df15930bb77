using Keepwire.Configuration;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// Whatever a configuration file holds, the loader gives a config or errors, each at a place in the file:
/// it never throws, never overflows its stack (it runs on a small one), and never hangs. This is what makes
/// a bad file harmless to a running daemon's reload.
/// </summary>
public sealed class ConfigLoaderFuzzTests
{
    [Fact]
    public void Yaml_shaped_input_gives_a_config_or_errors() =>
        Fuzz.Property(YamlGen.Any, text => AssertWellFormed(Bounded.Run(() => ConfigLoader.Parse(text, "fuzz.yaml"))), Fuzz.Printable);

    [Fact]
    public void Raw_bytes_give_a_config_or_errors() =>
        Fuzz.Property(FuzzGen.Bytes, bytes => AssertWellFormed(Bounded.Run(() => ConfigLoader.ParseBytes(bytes, "fuzz.yaml"))));

    private static void AssertWellFormed(ConfigLoadResult result)
    {
        Assert.Equal(result.Config is null, result.Errors.Count > 0);
        Assert.InRange(result.Errors.Count, 0, ConfigLimits.MaxErrorsShown + 1);
        foreach (var error in result.Errors)
        {
            Assert.Equal("fuzz.yaml", error.File);
            Assert.True(error.Line >= 0 && error.Column >= 0, $"no place in the file: {error}");
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }
}
