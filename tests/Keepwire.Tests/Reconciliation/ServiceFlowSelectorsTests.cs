using System.Net;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Reconciliation;

/// <summary>An unplanned switch deletes the switched service's flows to the failed site, not the site's other flows.</summary>
public sealed class ServiceFlowSelectorsTests
{
    private const string Vip4 = "198.51.100.10";
    private const string Vip6 = "2001:db8::10";

    private static readonly TunnelAddresses Site = TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), IPAddress.Parse("fd77::2"));

    private static ServiceConfig Service(string name, string[] vips, params PortRule[] ports) =>
        new(name, [.. vips.Select(IPAddress.Parse)], ports, ["a", "b"]);

    private static PortRule Tcp(int first, int? last = null, int? backend = null) => new(TransportProtocol.Tcp, first, last ?? first, backend);

    private static PortRule Udp(int first, int? last = null) => new(TransportProtocol.Udp, first, last ?? first, null);

    /// <summary>Each selector as the conntrack filter it runs with, ranges written as such.</summary>
    private static List<string> Describe(IReadOnlyList<ServiceConfig> services, ServiceConfig service, TunnelAddresses site) =>
        [.. ServiceFlowSelectors.For(services, service, site).Select(s => s.ToString())];

    [Fact]
    public void A_udp_service_alone_on_its_vips_and_protocol_deletes_all_udp_flows_to_them_from_the_site_and_no_tcp_flow()
    {
        var web = Service("web", [Vip4, Vip6], Tcp(80));
        var echo = Service("echo", [Vip4, Vip6], Udp(7));

        Assert.Equal(
            ["udp to 198.51.100.10 via 10.77.0.2", "udp to 2001:db8::10 via fd77::2"],
            Describe([web, echo], echo, Site));
        Assert.Equal(
            ["-f", "ipv4", "-p", "udp", "--orig-dst", Vip4, "--reply-src", "10.77.0.2"],
            ServiceFlowSelectors.For([web, echo], echo, Site)[0].Filter(null));
    }

    [Fact]
    public void Where_another_service_forwards_the_same_vip_and_protocol_each_port_and_range_is_named()
    {
        var web = Service("web", [Vip4], Tcp(80), Tcp(8443, backend: 443), Tcp(9000, 9100));
        var admin = Service("admin", [Vip4], Tcp(8080));

        Assert.Equal(
            ["tcp to 198.51.100.10 port 80 via 10.77.0.2", "tcp to 198.51.100.10 port 8443 via 10.77.0.2", "tcp to 198.51.100.10 ports 9000-9100 via 10.77.0.2"],
            Describe([web, admin], web, Site));
        // The public port is the one a flow's original direction carries, not the site's port.
        Assert.Equal(
            ["-f", "ipv4", "-p", "tcp", "--orig-dst", Vip4, "--dport", "8443", "--reply-src", "10.77.0.2"],
            ServiceFlowSelectors.For([web, admin], web, Site)[1].Filter(8443));
        Assert.Equal(["tcp to 198.51.100.10 port 8080 via 10.77.0.2"], Describe([web, admin], admin, Site));
    }

    [Fact]
    public void Sharing_is_judged_per_vip_and_protocol()
    {
        // web's UDP range is its own; its TCP port on the first VIP is shared with admin, on the second it is not.
        var web = Service("web", [Vip4, "198.51.100.11"], Tcp(443), Udp(10000, 10100));
        var admin = Service("admin", [Vip4], Tcp(8080));

        Assert.Equal(
            [
                "tcp to 198.51.100.10 port 443 via 10.77.0.2",
                "udp to 198.51.100.10 via 10.77.0.2",
                "tcp to 198.51.100.11 via 10.77.0.2",
                "udp to 198.51.100.11 via 10.77.0.2",
            ],
            Describe([web, admin], web, Site));
    }

    [Fact]
    public void A_vip_of_a_family_the_site_has_no_address_in_is_skipped()
    {
        var web = Service("web", [Vip4, Vip6], Tcp(80));

        Assert.Equal(["tcp to 198.51.100.10 via 10.77.0.2"], Describe([web], web, TunnelAddresses.Host(IPAddress.Parse("10.77.0.2"), null)));
        Assert.Equal(["tcp to 2001:db8::10 via fd77::2"], Describe([web], web, TunnelAddresses.Host(null, IPAddress.Parse("fd77::2"))));
    }
}
