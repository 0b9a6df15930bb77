using System.Net;
using Keepwire.Adapters.Routing;
using Keepwire.Configuration;
using Keepwire.Hub;
using Keepwire.Hub.Pair;
using Keepwire.Tests.Adapters;
using Keepwire.Tests.Configuration;
using Keepwire.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Hub.Pair;

/// <summary>
/// The pair reads which VIPs are on its public interface every pass (each read is a run of <c>ip</c> on a host):
/// with the kernel's address notifications it reads only after a change, so an idle pair hub starts no program.
/// </summary>
public sealed class HubPairVipReadingTests : IDisposable
{
    private static readonly TimeSpan Pass = TimeSpan.FromMilliseconds(100);
    private static readonly InterfaceAddress Vip = new(IPAddress.Parse("203.0.113.80"), 32);

    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-vips-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeRouting _routing = new("eth0");

    [Fact]
    public async Task Without_an_address_change_the_reading_stands_and_a_change_is_read_at_the_next_pass()
    {
        var changes = new FakeRoutingChanges();
        var pair = Create(changes);

        Assert.False((await pair.ReadVipsAsync(CancellationToken.None))!.Any);
        for (var pass = 0; pass < 30; pass++)
        {
            _time.Advance(Pass);
            Assert.False((await pair.ReadVipsAsync(CancellationToken.None))!.Any);
        }
        Assert.Equal(1, _routing.Reads);

        await _routing.AddAddressAsync("eth0", Vip);
        changes.Notify();
        _time.Advance(Pass);

        Assert.True((await pair.ReadVipsAsync(CancellationToken.None))!.All);
        Assert.Equal(2, _routing.Reads);
    }

    [Fact]
    public async Task A_missed_notification_costs_at_most_a_few_seconds()
    {
        var pair = Create(new FakeRoutingChanges());
        await pair.ReadVipsAsync(CancellationToken.None);

        await _routing.AddAddressAsync("eth0", Vip);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True((await pair.ReadVipsAsync(CancellationToken.None))!.All);
        Assert.Equal(2, _routing.Reads);
    }

    [Fact]
    public async Task Without_notifications_every_pass_older_than_50_ms_reads_again()
    {
        var pair = Create(AlwaysChanged.Instance);

        for (var pass = 0; pass < 5; pass++)
        {
            await pair.ReadVipsAsync(CancellationToken.None);
            _time.Advance(Pass);
        }

        Assert.Equal(5, _routing.Reads);
    }

    private HubPair Create(IRoutingChanges addressChanges)
    {
        var config = ConfigLoader.Parse(ConfigText.Pair.ToString(), "keepwire.yaml").Config!;
        var adapters = new HubAdapters(
            new FakeCommandRunner((program, _, _) => throw new InvalidOperationException($"reading VIPs runs no program, but ran {program}")),
            new FakeNftables(),
            new FakeConntrack(),
            new FakeWireGuard(),
            _routing,
            new FakeSysctl(),
            _ => throw new InvalidOperationException("no checks here"),
            new FakeProcessTable())
        {
            AddressChanges = addressChanges,
        };
        return HubPair.Create(config, config.FindHub("hub1")!, HubRunPaths.For(Path.Combine(_directory, "hub.sock"), "hub1"), adapters, NullLoggerFactory.Instance, _time)!;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
