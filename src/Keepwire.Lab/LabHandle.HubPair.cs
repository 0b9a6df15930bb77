using System.Net;
using System.Text.Json;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>The levers of a hub-pair lab: which hub holds the VIPs, and a partition between the two hubs.</summary>
public sealed partial class LabHandle
{
    /// <summary>
    /// Cuts the hubs off from each other only (clients and sites still reach both): VRRP adverts and
    /// the direct hub sync stop, whatever relays through the sites does not. Repeating it is harmless.
    /// Cut a hub's own link with <see cref="CutLinkAsync"/> (<c>"hub1"</c>): its eth0 then loses carrier, which keepalived sees.
    /// </summary>
    public async Task PartitionHubsAsync(CancellationToken cancellationToken = default) =>
        await runner.RunCheckedAsync("ip", ["netns", "exec", Topology.InternetNamespace, "nft", "-f", "-"], LabHubPartition.Ruleset(Topology), cancellationToken);

    /// <summary>Ends <see cref="PartitionHubsAsync"/>; harmless when there is none.</summary>
    public async Task HealHubPartitionAsync(CancellationToken cancellationToken = default)
    {
        var ns = Topology.InternetNamespace;
        var exists = await runner.RunAsync("ip", ["netns", "exec", ns, "nft", "list", "table", "bridge", LabHubPartition.TableName], cancellationToken: cancellationToken);
        if (exists.Succeeded)
            await runner.RunCheckedAsync("ip", ["netns", "exec", ns, "nft", "delete", "table", "bridge", LabHubPartition.TableName], cancellationToken: cancellationToken);
    }

    /// <summary>Whether the hubs are partitioned from each other right now.</summary>
    public async Task<bool> HubsPartitionedAsync(CancellationToken cancellationToken = default) =>
        (await runner.RunAsync("ip", ["netns", "exec", Topology.InternetNamespace, "nft", "list", "table", "bridge", LabHubPartition.TableName], cancellationToken: cancellationToken)).Succeeded;

    /// <summary>
    /// The VIPs on each hub's public interface right now, by hub (every hub is listed, with none if it
    /// holds none). Read from the kernel, as keepwire reads its own role: not from keepalived's state.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<IPAddress>>> VipsByHubAsync(CancellationToken cancellationToken = default)
    {
        var held = new Dictionary<string, IReadOnlyList<IPAddress>>(StringComparer.Ordinal);
        foreach (var hub in Topology.Hubs)
        {
            var result = await ExecAsync(hub.Name, ["ip", "-j", "address", "show", "dev", hub.PublicInterface], cancellationToken: cancellationToken);
            // A hub whose interface cannot be read (namespace going away) holds nothing anyone can reach.
            var addresses = result.Succeeded ? ParseAddresses(result.StandardOutput) : [];
            held[hub.Name] = [.. Topology.Vips.Both.Where(addresses.Contains)];
        }
        return held;
    }

    /// <summary>The hub that holds every VIP while the other hubs hold none; null when none does, or they are split or doubled.</summary>
    public async Task<string?> VipHolderAsync(CancellationToken cancellationToken = default)
    {
        var held = await VipsByHubAsync(cancellationToken);
        var holders = held.Where(h => h.Value.Count > 0).ToList();
        return holders.Count == 1 && holders[0].Value.Count == Topology.Vips.Both.Count() ? holders[0].Key : null;
    }

    private static HashSet<IPAddress> ParseAddresses(string json)
    {
        var addresses = new HashSet<IPAddress>();
        if (string.IsNullOrWhiteSpace(json))
            return addresses;
        using var document = JsonDocument.Parse(json);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("addr_info", out var infos))
                continue;
            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("local", out var local) && IPAddress.TryParse(local.GetString(), out var address))
                    addresses.Add(address);
            }
        }
        return addresses;
    }
}
