using System.Net;
using Keepwire.Adapters.Conntrack;
using Keepwire.Model;
using Keepwire.Reconciliation;

namespace Keepwire.Tests.Reconciliation;

public sealed class FlowFlushPlannerTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("198.51.100.10");
    private static readonly IPAddress OtherVip = IPAddress.Parse("198.51.100.11");
    private static readonly IPAddress Site = IPAddress.Parse("10.77.0.2");

    [Fact]
    public void One_or_two_plain_selectors_run_directly_but_more_or_a_range_list_the_site_first()
    {
        FlowSelector[] two = [new(Vip, TransportProtocol.Tcp, Site), new(OtherVip, TransportProtocol.Udp, Site, 53, 53)];
        Assert.Same(two, FlowFlushPlanner.Direct(two));
        Assert.Null(FlowFlushPlanner.Direct([.. two, new(Vip, TransportProtocol.Udp, Site)]));
        Assert.Null(FlowFlushPlanner.Direct([new(Vip, TransportProtocol.Udp, Site, 10000, 10100)]));
    }

    [Fact]
    public void A_VIP_whose_listed_flows_are_all_doomed_is_deleted_in_one_run()
    {
        FlowSelector[] doomed = [.. Enumerable.Range(8000, 30).Select(port => new FlowSelector(Vip, TransportProtocol.Tcp, Site, port, port))];
        TrackedFlow[] listed = [Flow(Vip, 8001), Flow(Vip, 8002), Flow(Vip, 8029), Flow(Site, 80)];

        var deletes = FlowFlushPlanner.Deletes(doomed, listed, Site);

        Assert.Equal([new FlowSelector(Vip, TransportProtocol.Tcp, Site)], deletes);
    }

    [Fact]
    public void Flows_another_service_still_has_at_the_site_keep_the_delete_to_the_doomed_ports()
    {
        // A planned move's connections still finishing at the site share the VIP: they must survive.
        FlowSelector[] doomed = [new(Vip, TransportProtocol.Tcp, Site, 8000, 8000), new(Vip, TransportProtocol.Udp, Site, 10000, 10100), new(OtherVip, TransportProtocol.Tcp, Site)];
        TrackedFlow[] listed = [Flow(Vip, 8000), Flow(Vip, 9000), Flow(Vip, 10050, TransportProtocol.Udp), Flow(Vip, 10050, TransportProtocol.Udp), Flow(Vip, 7, TransportProtocol.Udp)];

        var deletes = FlowFlushPlanner.Deletes(doomed, listed, Site);

        Assert.Equal(
            [
                new FlowSelector(Vip, TransportProtocol.Tcp, Site, 8000, 8000),
                new FlowSelector(Vip, TransportProtocol.Udp, Site, 10050, 10050),
            ],
            deletes);
    }

    private static TrackedFlow Flow(IPAddress destination, int port, TransportProtocol protocol = TransportProtocol.Tcp) => new(protocol, destination, port);
}
