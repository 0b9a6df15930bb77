using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.Control;
using Keepwire.IntegrationTests.Lab;
using Keepwire.Site;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// The real site agent (<c>keepwire site</c>) inside the site namespace of a hub pair: it brings up a tunnel to
/// each hub, relays the hubs' sync datagrams between them and drops everything else, and its status shows both
/// tunnels. The hubs are brought up by their reconcilers.
/// </summary>
[Collection("namespaces")]
public sealed class HubPairSiteAgentTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
    private readonly HubPairLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private string SocketPath => Path.Combine(_lab.Directory, "site.sock");

    [Fact]
    public async Task The_agent_relays_sync_from_one_hub_to_the_other_drops_the_rest_and_shows_both_tunnels()
    {
        for (var i = 0; i < 2; i++)
            await _lab.NewHubReconciler(i).ReconcileAsync(_lab.Config, _lab.Config.Hubs[i]);
        var agent = _lab.StartInNamespace(_lab.SiteNamespace,
            [.. KeepwireExecutable.Command(), "site", "--config", _lab.ConfigPath, "--node", "alpha", "--socket", SocketPath, "--reconcile-interval", "0.5"]);
        SiteAgentStatus? status = null;
        var ready = await WireGuardLab.Eventually(async () =>
        {
            status = await StatusAsync();
            return status is { SyncRelay.Listening: 2 } && status.Tunnels.All(t => t.HandshakeAgeSeconds is not null);
        }, Generous);
        Assert.True(ready, $"agent not ready: {JsonSerializer.Serialize(status)}\n{agent.Errors}");

        var hub2 = _lab.StartInNamespace(_lab.HubNamespaces[1], "socat", "-u", $"UDP-RECV:{HubPairLab.SyncPort},bind={HubPairLab.HubTunnel4[1]}", "STDOUT");
        var site = $"{HubPairLab.SiteTunnel4}:{HubPairLab.SyncPort}";
        // A client behind hub1 reaches the site's sync port through the tunnel too: not a hub, so dropped.
        var stranger = await _lab.ClientRunners[0].RunAsync("socat", ["-u", "STDIN", $"UDP-SENDTO:{site}"], "from-a-client\n");
        Assert.True(stranger.Succeeded, stranger.StandardError);
        Assert.True(await WireGuardLab.Eventually(async () => (await StatusAsync())?.SyncRelay?.Dropped >= 1, Generous), "the client's datagram was not counted as dropped");

        var sent = await _lab.HubRunners[0].RunAsync("socat", ["-u", "STDIN", $"UDP-SENDTO:{site},bind={HubPairLab.HubTunnel4[0]}"], "from-hub1\n");
        Assert.True(sent.Succeeded, sent.StandardError);
        Assert.True(await WireGuardLab.Eventually(() => Task.FromResult(hub2.Output.Contains("from-hub1", StringComparison.Ordinal)), Generous),
            $"hub2 did not receive the relayed datagram (hub2 got '{hub2.Output}', {hub2.Errors})");
        Assert.DoesNotContain("from-a-client", hub2.Output, StringComparison.Ordinal);

        var relay = (await StatusAsync())!.SyncRelay!;
        Assert.Equal((1L, 1L, 0L), (relay.Relayed, relay.Dropped, relay.SendFailures));

        var table = await new CommandRunner().RunCheckedAsync(KeepwireExecutable.Command()[0], [.. KeepwireExecutable.Command().Skip(1), "status", "--socket", SocketPath]);
        foreach (var (hub, name) in new[] { ("hub1", _lab.SiteInterfaces[0]), ("hub2", _lab.SiteInterfaces[1]) })
            Assert.Matches($"(?m)^{hub} +{name} +\\d+s ago +203\\.0\\.113\\.\\d:51820", table.StandardOutput);
        Assert.Contains("relayed 1, dropped 1", table.StandardOutput, StringComparison.Ordinal);
    }

    private async Task<SiteAgentStatus?> StatusAsync()
    {
        try
        {
            var response = await new ControlClient(SocketPath).SendAsync(new ControlRequest("status"));
            return response.Result?.Deserialize<SiteAgentStatus>(ControlJson.Options);
        }
        catch (ControlUnavailableException)
        {
            return null;
        }
    }
}
