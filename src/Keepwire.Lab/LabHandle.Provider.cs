using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>The levers of a provider-routed lab: the fake provider API, and the provider router's route for each VIP.</summary>
public sealed partial class LabHandle
{
    private const string ProviderApiProcess = "provider-api";

    /// <summary>Starts the fake provider API inside the internet namespace (the provider's router) and waits until it answers.</summary>
    internal async Task StartProviderApiAsync(CancellationToken cancellationToken)
    {
        await processes.StartDetachedAsync(ProviderApiProcess, Topology.InternetNamespace,
            [.. KeepwireCommand, "lab", "provider-api", "--prefix", Prefix], cancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var listening = await runner.RunAsync("ip", ["netns", "exec", Topology.InternetNamespace, "ss", "-Htln", $"sport = :{LabProviderApi.Port}"], cancellationToken: cancellationToken);
            if (listening.Succeeded && listening.StandardOutput.Trim().Length > 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"the fake provider API did not listen on port {LabProviderApi.Port} within 30 s; see {paths.LogFile(ProviderApiProcess)}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The hub the provider router sends <paramref name="vip"/> to right now, or null (no route, or to no hub).</summary>
    public async Task<string?> ProviderRouteAsync(IPAddress vip, CancellationToken cancellationToken = default)
    {
        EnsureProviderRouted();
        var shown = await runner.RunAsync("ip", ["-n", Topology.InternetNamespace, LabProviderApi.Family(vip), "-j", "route", "show", "exact", LabProviderApi.Host(vip)], cancellationToken: cancellationToken);
        var gateway = shown.Succeeded ? LabProviderApi.ParseGateway(shown.StandardOutput) : null;
        return Topology.Hubs.FirstOrDefault(h => h.Public.Both.Contains(gateway))?.Name;
    }

    /// <summary>Moves the provider's route for <paramref name="vip"/> to <paramref name="hub"/> behind the hubs' back: a provider that drifted.</summary>
    public async Task MoveProviderRouteAsync(IPAddress vip, string hub, CancellationToken cancellationToken = default)
    {
        EnsureProviderRouted();
        var target = Topology.HubNamed(hub).Public;
        var via = vip.AddressFamily == AddressFamily.InterNetworkV6 ? target.IPv6 : target.IPv4;
        await runner.RunCheckedAsync("ip", ["-n", Topology.InternetNamespace, "route", "replace", LabProviderApi.Host(vip), "via", via.ToString()], cancellationToken: cancellationToken);
    }

    private void EnsureProviderRouted()
    {
        if (!Topology.IsProviderRouted)
            throw new LabException($"Lab {Prefix} is not provider-routed: build it with --hub-pair --provider.");
    }
}
