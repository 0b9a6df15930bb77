using System.Net;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Tests.Configuration;

public sealed class MetricsConfigTests
{
    [Fact]
    public void Without_a_metrics_key_no_node_serves_metrics()
    {
        Assert.Null(ConfigLoader.Parse(ConfigText.Base.ToString(), "k.yaml").Config!.Metrics);
    }

    [Theory]
    [InlineData("metrics:", "127.0.0.1", MetricsSettings.DefaultPort)]
    [InlineData("metrics: {}", "127.0.0.1", MetricsSettings.DefaultPort)]
    [InlineData("metrics: { listen: 127.0.0.1:9999 }", "127.0.0.1", 9999)]
    [InlineData("metrics: { listen: \"[::1]:19586\" }", "::1", 19586)]
    [InlineData("metrics: { listen: 10.77.0.1:19586 }", "10.77.0.1", 19586)]
    public void A_metrics_key_gives_the_listen_address_loopback_and_19586_by_default(string line, string address, int port)
    {
        var result = ConfigLoader.Parse(ConfigText.Base.Append(line).ToString(), "k.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), result.Config!.Metrics!.Listen);
    }

    [Theory]
    [InlineData("metrics: { listen: localhost:19586 }", "metrics listen 'localhost:19586': 'localhost' is not an IP address", "127.0.0.1:19586")]
    [InlineData("metrics: { listen: ::1:19586 }", "looks like a bare IPv6 address", "brackets")]
    [InlineData("metrics: { listen: 127.0.0.1 }", "metrics listen '127.0.0.1' has no port", "127.0.0.1:19586")]
    [InlineData("metrics: { listen: 127.0.0.1:0 }", "has an invalid port '0'", "1 to 65535")]
    [InlineData("metrics: { listen: \"[127.0.0.1]:19586\" }", "only IPv6 addresses go in brackets", "[::1]:19586")]
    [InlineData("metrics: { port: 19586 }", "port", "listen")]
    [InlineData("metrics: 19586", "metrics", null)]
    public void A_bad_metrics_section_is_an_error_at_its_line_that_says_what_to_write(string line, string fragment, string? hint)
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
