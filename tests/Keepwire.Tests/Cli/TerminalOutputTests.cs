using System.Text.Json;
using Keepwire.Cli.Commands;
using Keepwire.Configuration;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.Site;

namespace Keepwire.Tests.Cli;

/// <summary>
/// What a site reports and a probe reads reaches the operator's terminal through <c>keepwire status</c> and
/// <c>keepwire events</c>, and a config's text through <c>keepwire check</c>: none of it may carry a control
/// sequence, a line break or a bidi override there. Before, all of it was printed raw.
/// </summary>
public sealed class TerminalOutputTests
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private const string Hostile = "boom\u001b[2J\u001b]0;pwned\u0007\nweb  bravo  forged\u202e";

    [Fact]
    public void Status_prints_site_supplied_text_escaped()
    {
        var status = new HubStatus("hub", "/etc/keepwire/keepwire.yaml", DateTimeOffset.UnixEpoch, null, "reload failed:\n" + Hostile,
            [new ServiceStatus("web", "alpha", "alpha: local check failed: " + Hostile, DateTimeOffset.UnixEpoch, 1)],
            [new SiteStatus("alpha", 100, "agent", ["10.77.0.10"], "198.51.100.7:40000", 1, false, "down", [new CheckStatus("http", "down", Hostile)])]);
        var output = new StringWriter();

        StatusTable.Write(output, status);

        // The last error keeps its line breaks, each continuation line indented; in table cells they are escaped.
        AssertSafe(output.ToString(), expectedLines: 10);
        Assert.Contains("boom\\u{1B}[2J\\u{1B}]0;pwned\\u{7}\\u{A}web  bravo  forged\\u{202E}", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\n  web  bravo  forged\\u{202E}\n", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Site_status_prints_its_last_error_escaped()
    {
        var status = new SiteAgentStatus("alpha", [new SiteTunnelStatus("hub", "kw0", "hub.example.net:51820", null, null)], null, DateTimeOffset.UnixEpoch, null, Hostile);
        var output = new StringWriter();

        SiteStatusTable.Write(output, status);

        AssertSafe(output.ToString(), expectedLines: 6);
        Assert.Contains("last error: boom\\u{1B}[2J\\u{1B}]0;pwned\\u{7}\n  web  bravo  forged\\u{202E}\n", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Status_as_json_is_escaped_by_the_serializer()
    {
        var status = new HubStatus("hub", "/c.yaml", DateTimeOffset.UnixEpoch, null, Hostile, [], []);

        // The daemon's answer, then what `keepwire status --json` prints of it.
        var response = ControlResponse.Success(status);
        var printed = JsonSerializer.Serialize(response.Result, Indented);

        Assert.DoesNotContain(printed, c => char.IsControl(c) && c != '\n' && c != '\r' && c != ' ');
        Assert.DoesNotContain('\u202e', printed);
        Assert.Contains("\\u001B[2J", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_prints_config_text_escaped()
    {
        var result = ConfigLoader.Parse("hubs:\n  - name: \"evil\\e[2J\\nx.yaml:1:1: all good\"\n", "c.yaml");

        var printed = string.Join('\n', result.Errors.Select(e => e.ToString()));

        Assert.DoesNotContain('\u001b', printed);
        Assert.Contains("name 'evil\\u{1B}[2J\\u{A}x.yaml:1:1: all good' is not valid", printed, StringComparison.Ordinal);
        Assert.Equal(result.Errors.Count, printed.Split('\n').Length);
    }

    private static void AssertSafe(string printed, int expectedLines)
    {
        Assert.DoesNotContain(printed, c => char.IsControl(c) && c != '\n');
        Assert.DoesNotContain('\u202e', printed);
        Assert.Equal(expectedLines, printed.TrimEnd('\n').Split('\n').Length);
    }
}
