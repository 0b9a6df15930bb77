using System.Net;
using Keepwire.Adapters.Nftables;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging.Abstractions;
using static Keepwire.IntegrationTests.Forwarding.ForwardingLab;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>Real packets through the rendered table: client → VIP on the hub → backend behind the "tunnel".</summary>
[Collection("namespaces")]
public sealed class ForwardingPacketTests : IAsyncLifetime
{
    private readonly NamespaceScope _scope = new();
    private ForwardingLab _lab = null!;
    private ForwardingReconciler _reconciler = null!;

    public async Task InitializeAsync()
    {
        _lab = await ForwardingLab.CreateAsync(_scope);
        _reconciler = new ForwardingReconciler(new NftablesCli(_lab.Hub), NullLogger<ForwardingReconciler>.Instance);
        foreach (var backend in new[] { "b1", "b2" })
        {
            await _lab.ListenAsync(backend, 80);
            await _lab.ListenAsync(backend, 81);
            await _lab.ListenAsync(backend, 9050);
        }
    }

    public Task DisposeAsync() => _scope.CleanUpAsync();

    /// <summary>tcp/80, tcp/8080:80 and tcp/9000-9100 on both VIPs; port 81 is not forwarded.</summary>
    private HubDataPlane Plane(IPAddress backend4, IPAddress backend6, IReadOnlyList<IPNetwork>? allowForwardFrom = null)
    {
        var rules = new List<ForwardingRule>();
        foreach (var (vip, backend) in new[] { (Vip4, backend4), (Vip6, backend6) })
        {
            rules.Add(new("web", IPAddress.Parse(vip), TransportProtocol.Tcp, 80, 80, backend, 80));
            rules.Add(new("web", IPAddress.Parse(vip), TransportProtocol.Tcp, 8080, 8080, backend, 80));
            rules.Add(new("web", IPAddress.Parse(vip), TransportProtocol.Tcp, 9000, 9100, backend, 9000));
        }
        return new HubDataPlane(_lab.TunnelInterface, rules, [], allowForwardFrom ?? []);
    }

    [Fact]
    public async Task Forwards_configured_ports_to_the_backend_keeping_the_client_address()
    {
        await _reconciler.ReconcileAsync(Plane(Backend1V4, Backend1V6));

        Assert.Equal(("b1", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Vip4, 80));
        Assert.Equal(("b1", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Vip4, 8080));
        Assert.Equal(("b1", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Vip4, 9050));
        Assert.Equal(("b1", IPAddress.Parse(Client6)), await ConnectAsync(_lab.Client, Vip6, 80));
        Assert.Equal(("b1", IPAddress.Parse(Client6)), await ConnectAsync(_lab.Client, Vip6, 9050));
    }

    [Fact]
    public async Task Does_not_forward_other_ports_nor_let_new_traffic_into_the_tunnel_without_dnat()
    {
        await _reconciler.ReconcileAsync(Plane(Backend1V4, Backend1V6));

        // The backend listens on 81, but the hub does not forward it.
        Assert.Null(await ConnectAsync(_lab.Client, Vip4, 81));
        Assert.Null(await ConnectAsync(_lab.Client, Vip6, 81));
        // Routed straight at a tunnel address: the hub would forward it, the table drops it.
        Assert.Null(await ConnectAsync(_lab.Client, Backend1V4.ToString(), 80));
        Assert.Null(await ConnectAsync(_lab.Client, Backend1V6.ToString(), 80));

        await _reconciler.ReconcileAsync(Plane(Backend1V4, Backend1V6, [IPNetwork.Parse("203.0.113.0/24")]));

        Assert.Equal(("b1", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Backend1V4.ToString(), 81));
        Assert.Null(await ConnectAsync(_lab.Client, Backend1V6.ToString(), 81));
    }

    [Fact]
    public async Task The_hub_itself_reaches_the_service_through_its_vip()
    {
        await _reconciler.ReconcileAsync(Plane(Backend1V4, Backend1V6));

        Assert.Equal("b1", (await ConnectAsync(_lab.Hub, Vip4, 80))?.Backend);
        Assert.Equal("b1", (await ConnectAsync(_lab.Hub, Vip6, 8080))?.Backend);
    }

    [Fact]
    public async Task After_a_repoint_new_connections_go_to_the_new_backend()
    {
        await _reconciler.ReconcileAsync(Plane(Backend1V4, Backend1V6));
        Assert.Equal("b1", (await ConnectAsync(_lab.Client, Vip4, 80))?.Backend);

        var outcome = await _reconciler.ReconcileAsync(Plane(Backend2V4, Backend2V6));

        Assert.Equal(ForwardingReconcileAction.UpdatedElements, outcome.Action);
        Assert.Equal(("b2", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Vip4, 80));
        Assert.Equal(("b2", IPAddress.Parse(Client4)), await ConnectAsync(_lab.Client, Vip4, 9050));
        Assert.Equal(("b2", IPAddress.Parse(Client6)), await ConnectAsync(_lab.Client, Vip6, 8080));
    }
}
