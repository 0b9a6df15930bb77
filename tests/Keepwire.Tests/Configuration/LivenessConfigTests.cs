using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class LivenessConfigTests
{
    [Fact]
    public void Without_a_liveness_key_the_stream_is_on_every_40_ms_lost_after_3()
    {
        var liveness = ConfigLoader.Parse(ConfigText.Base.ToString(), "k.yaml").Config!.Liveness;

        Assert.Equal(LivenessSettings.Default, liveness);
        Assert.True(liveness.Enabled);
        Assert.Equal(TimeSpan.FromMilliseconds(120), liveness.DetectionTime);
    }

    [Theory]
    [InlineData("liveness: { interval: 100ms }", true, 100, 3)]
    [InlineData("liveness: { interval: 20ms, multiplier: 5 }", true, 20, 5)]
    [InlineData("liveness: { enabled: false }", false, 40, 3)]
    public void The_liveness_section_sets_interval_multiplier_and_enabled(string line, bool enabled, int intervalMs, int multiplier)
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append(line).ToString(), "k.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(new LivenessSettings(enabled, TimeSpan.FromMilliseconds(intervalMs), multiplier), result.Config!.Liveness);
    }

    [Theory]
    [InlineData("liveness: { interval: 5ms }", "liveness interval 5 ms is outside 10 ms to 10 s", "50ms")]
    [InlineData("liveness: { interval: 1m }", "liveness interval 60000 ms is outside", "50ms")]
    [InlineData("liveness: { multiplier: 1 }", "multiplier 1 is out of range", "2 to 50")]
    [InlineData("liveness: { interval: soon }", "interval", null)]
    [InlineData("liveness: { detect: 3 }", "detect", null)]
    public void A_bad_liveness_section_is_an_error_at_its_line_that_says_what_to_write(string line, string fragment, string? hint)
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append(line).ToString(), "k.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("k.yaml", 16), (error.File, error.Line));
        Assert.Contains(fragment, error.Message);
        if (hint is not null)
            Assert.Contains(hint, error.Hint);
        Assert.Null(result.Config);
    }
}
