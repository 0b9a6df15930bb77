using System.Net;
using Keepwire.Adapters.Conntrackd;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Forwarding;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Keepalived;

/// <summary>
/// Two real conntrackd (FTFW over UDP unicast) in two hub namespaces: the rendered configuration starts,
/// the role-change sequences run without an error, and stopping leaves nothing behind.
/// </summary>
[Collection("namespaces")]
public sealed class ConntrackdControlTests : IAsyncLifetime
{
    private readonly NamespaceScope _scope = new();
    private readonly List<ConntrackdControl> _controls = [];
    private string _runDirectory = null!;

    public async Task InitializeAsync()
    {
        _runDirectory = Path.Combine("/run", $"{_scope.Prefix}-conntrackd");
        var net = await _scope.CreateNamespaceAsync("net");
        await net.RunCheckedAsync("ip", ["link", "add", "br0", "type", "bridge"]);
        await net.RunCheckedAsync("ip", ["link", "set", "br0", "up"]);
        foreach (var (name, address) in new[] { ("h1", "198.51.100.2"), ("h2", "198.51.100.3") })
        {
            var hub = await _scope.CreateNamespaceAsync(name);
            await net.RunCheckedAsync("ip", ["link", "add", $"p{name}", "type", "veth", "peer", "name", "eth0", "netns", _scope.NamespaceName(name)]);
            await net.RunCheckedAsync("ip", ["link", "set", $"p{name}", "master", "br0", "up"]);
            await hub.RunCheckedAsync("ip", ["addr", "add", $"{address}/24", "dev", "eth0"]);
            await hub.RunCheckedAsync("ip", ["link", "set", "eth0", "up"]);
            _controls.Add(new ConntrackdControl(hub, new ConntrackdPaths(Path.Combine(_runDirectory, name)), NullLogger.Instance));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var control in _controls)
        {
            try
            {
                await control.StopAsync();
            }
            catch (CommandFailedException)
            {
                // The namespace goes below; conntrackd has no pid file to kill it by.
            }
        }
        await _scope.CleanUpAsync();
        if (Directory.Exists(_runDirectory))
            Directory.Delete(_runDirectory, recursive: true);
    }

    private static ConntrackdSettings Settings(string local, string peer) => new(
        "eth0", IPAddress.Parse(local), IPAddress.Parse(peer), ConntrackdSettings.DefaultPort,
        [IPAddress.Parse(local), IPAddress.Parse("203.0.113.10")]);

    [Fact]
    public async Task Both_hubs_run_the_rendered_configuration_and_switch_roles_without_errors()
    {
        var (active, standby) = (_controls[0], _controls[1]);

        Assert.Equal(ConntrackdOutcome.Started, await active.EnsureRunningAsync(Settings("198.51.100.2", "198.51.100.3")));
        Assert.Equal(ConntrackdOutcome.Started, await standby.EnsureRunningAsync(Settings("198.51.100.3", "198.51.100.2")));
        Assert.Equal(ConntrackdOutcome.Unchanged, await active.EnsureRunningAsync(Settings("198.51.100.2", "198.51.100.3")));

        Assert.Empty(await active.BecomeActiveAsync());
        Assert.Empty(await standby.BecomeStandbyAsync());

        await active.StopAsync();
        Assert.False(await active.IsRunningAsync());
        Assert.True(await standby.IsRunningAsync());
    }
}
