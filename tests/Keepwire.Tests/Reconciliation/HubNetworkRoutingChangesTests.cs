using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Model;
using Keepwire.Reconciliation;
using Keepwire.Tests.Configuration;
using Keepwire.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Reconciliation;

/// <summary>
/// The hub's network pass reads links, addresses and routes only when the kernel says they may have changed (or
/// after a new config, or every <see cref="HubNetworkReconciler.RoutingResyncInterval"/>), and repairs what moved.
/// </summary>
public sealed class HubNetworkRoutingChangesTests : IDisposable
{
    private static readonly IPAddress Vip = IPAddress.Parse("203.0.113.80");

    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-hubnet-").FullName;
    private readonly FakeRouting _routing = new("eth0");
    private readonly FakeSysctl _sysctl = new();
    private readonly FakeRoutingChanges _changes = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly HubNetworkReconciler _reconciler;
    private readonly ClusterConfig _config;

    public HubNetworkRoutingChangesTests()
    {
        var path = Path.Combine(_directory, "keepwire.yaml");
        File.WriteAllText(path, ConfigText.Base.InsertAfter(2, "    public_interface: eth0").ToString());
        _config = ConfigLoader.LoadValid(path);
        _reconciler = new HubNetworkReconciler(new FakeWireGuard(), _routing, _sysctl, NullLogger.Instance, _changes, _time);
    }

    private HubNode Hub => _config.Hubs[0];

    private bool HasVip() => _routing.Addresses("eth0").Any(a => a.Address.Equals(Vip));

    [Fact]
    public async Task While_nothing_is_notified_idle_passes_read_no_routing_but_keep_the_sysctls()
    {
        await _reconciler.ReconcileAsync(_config, Hub);
        Assert.True(HasVip());
        var reads = _routing.Reads;

        for (var i = 0; i < 5; i++)
            Assert.False(await _reconciler.ReconcileAsync(_config, Hub));
        Assert.Equal(reads, _routing.Reads);

        // Sysctls are read every pass (files under /proc/sys on a host): drift there is repaired at once.
        await _sysctl.WriteAsync(SysctlKeys.IPv4Forwarding, "0");
        Assert.True(await _reconciler.ReconcileAsync(_config, Hub));
        Assert.Equal("1", await _sysctl.ReadAsync(SysctlKeys.IPv4Forwarding));
        Assert.Equal(reads, _routing.Reads);
    }

    [Fact]
    public async Task A_notified_change_is_read_and_repaired_on_the_next_pass()
    {
        await _reconciler.ReconcileAsync(_config, Hub);
        var vip = _routing.Addresses("eth0").Single(a => a.Address.Equals(Vip));

        await _routing.DeleteAddressAsync("eth0", vip);
        _changes.Notify();

        Assert.True(await _reconciler.ReconcileAsync(_config, Hub));
        Assert.True(HasVip());
    }

    [Fact]
    public async Task A_change_nobody_notified_is_repaired_by_the_resync_interval()
    {
        await _reconciler.ReconcileAsync(_config, Hub);
        await _routing.DeleteAddressAsync("eth0", _routing.Addresses("eth0").Single(a => a.Address.Equals(Vip)));

        Assert.False(await _reconciler.ReconcileAsync(_config, Hub));
        Assert.False(HasVip());

        _time.Advance(HubNetworkReconciler.RoutingResyncInterval);
        Assert.True(await _reconciler.ReconcileAsync(_config, Hub));
        Assert.True(HasVip());
    }

    [Fact]
    public async Task A_new_config_is_read_at_once()
    {
        await _reconciler.ReconcileAsync(_config, Hub);
        var reads = _routing.Reads;
        var path = Path.Combine(_directory, "keepwire.yaml");
        var reloaded = ConfigLoader.LoadValid(path);

        await _reconciler.ReconcileAsync(reloaded, reloaded.Hubs[0]);

        Assert.True(_routing.Reads > reads);
    }

    [Fact]
    public async Task One_device_read_per_pass_serves_the_diff_and_the_handshakes()
    {
        var wireGuard = new FakeWireGuard();
        var reconciler = new HubNetworkReconciler(wireGuard, _routing, _sysctl, NullLogger.Instance, _changes, _time);
        await reconciler.ReconcileAsync(_config, Hub);
        // The pass configured the device: what it read before is stale, so the caller must read again.
        Assert.Null(reconciler.Device);
        var reads = wireGuard.Reads;

        await reconciler.ReconcileAsync(_config, Hub);

        Assert.Equal(reads + 1, wireGuard.Reads);
        Assert.Equal(Hub.PublicKey, reconciler.Device?.PublicKey);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
