using System.Net;
using Keepwire.Cli.Commands;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Tests.Engine;

namespace Keepwire.Tests.Hub;

/// <summary>What <c>keepwire status</c> says of a service besides its decision: its public addresses, and the LAN server a router site forwards it to.</summary>
public sealed class HubStatusViewTests
{
    private static readonly IPNetwork RoutedPrefix = IPNetwork.Parse("2001:db8:90::/64");

    /// <summary>web served at a by the LAN server 192.168.50.11 behind it; mail routed instead of DNATed.</summary>
    private static EngineHarness Harness() => new(adjust: config => config with
    {
        Services =
        [
            config.Services[0] with { Backends = new Dictionary<string, SiteBackend> { ["a"] = new(IPAddress.Parse("192.168.50.11"), null, Masquerade: false) } },
            config.Services[1] with { Vips = [], Mode = ServiceMode.Routed, RoutedPrefixes = [RoutedPrefix] },
        ],
    });

    [Fact]
    public void A_service_shows_its_public_addresses_and_the_lan_server_its_serving_site_forwards_to()
    {
        var harness = Harness();
        var engine = harness.Engine();
        engine.Step(harness.Results(true, "a", "b", "c"));

        var services = HubStatusView.Services(engine);

        var web = services.Single(s => s.Name == "web");
        Assert.Equal(("dnat", "a", "192.168.50.11"), (web.Mode, web.ServingSite, web.Backend));
        Assert.Equal([EngineHarness.WebVip.ToString()], web.Addresses);
        var mail = services.Single(s => s.Name == "mail");
        Assert.Equal(("routed", "b", (string?)null), (mail.Mode, mail.ServingSite, mail.Backend));
        Assert.Equal(["2001:db8:90::/64"], mail.Addresses);
    }

    [Fact]
    public void The_status_table_lists_the_addresses_and_the_lan_server_beside_the_serving_site()
    {
        var harness = Harness();
        var engine = harness.Engine();
        engine.Step(harness.Results(true, "a", "b", "c"));
        var status = new HubStatus("hub", "keepwire.yaml", harness.Now, null, null, HubStatusView.Services(engine), []);
        var output = new StringWriter();

        StatusTable.Write(output, status);

        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, line => line.StartsWith("web ", StringComparison.Ordinal) && line.Contains($" {EngineHarness.WebVip} ", StringComparison.Ordinal) && line.Contains(" a → 192.168.50.11 ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("mail ", StringComparison.Ordinal) && line.Contains(" routed 2001:db8:90::/64 ", StringComparison.Ordinal));
    }
}
