using System.Globalization;
using System.Text;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Hub;

namespace Keepwire.Lab;

/// <summary>When a lab's daemons count as up, and what to say when they do not come up.</summary>
public sealed partial class LabHandle
{
    /// <summary>
    /// Waits until every hub's control socket exists, every site has a WireGuard handshake with every
    /// hub, in a pair exactly one hub holds the VIPs, and every hub serves every service from the
    /// highest-priority site; on timeout, fails with what is missing and the end of every daemon's log.
    /// </summary>
    public async Task WaitForDaemonsReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var missing = await NotReadyAsync(cancellationToken);
            if (missing.Count == 0)
            {
                Log.DaemonsReady(logger, Prefix);
                return;
            }
            // A daemon that has exited will not come up: say so now rather than after the timeout.
            var exited = Topology.Nodes.Where(node => processes.ReadPid(node) is { } pid && !LabProcesses.IsAlive(pid)).ToList();
            if (exited.Count > 0)
                throw new LabException(DescribeNotReady($"the {string.Join(", ", exited)} daemon exited", missing));
            if (DateTime.UtcNow > deadline)
                throw new LabException(DescribeNotReady($"the daemons did not come up within {timeout.TotalSeconds:0} s", missing));
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>What the lab still waits for, each check only once the ones before it hold.</summary>
    private async Task<IReadOnlyList<string>> NotReadyAsync(CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var hub in Topology.Hubs)
        {
            if (!File.Exists(paths.NodeSocket(hub.Name)))
                missing.Add($"the {HubLabel(hub)} socket {paths.NodeSocket(hub.Name)}");
            var handshakes = await ReadHandshakesAsync(hub.Name, cancellationToken);
            var with = Topology.IsHubPair ? $" with {hub.Name}" : "";
            missing.AddRange(handshakes.Where(h => h.Value is null).Select(h => $"a handshake from {h.Key}{with}"));
        }
        if (missing.Count > 0)
            return missing;

        if (Topology.IsHubPair && await VipHolderAsync(cancellationToken) is null)
            return [$"exactly one hub holding the VIPs (now: {DescribeVipHoldings(await VipsByHubAsync(cancellationToken))})"];

        foreach (var hub in Topology.Hubs)
            missing.AddRange(await ServicesNotOnBestSiteAsync(hub, cancellationToken));
        return missing;
    }

    /// <summary>
    /// Services the hub does not serve from their highest-priority site yet. Sites come up one by one
    /// after the hub, so the hub may first choose a lower site and preempt back once the best one has
    /// been healthy for the preempt delay: the lab is ready when that has happened. In a pair the
    /// standby hub must agree, since it follows the active hub's decisions.
    /// </summary>
    private async Task<IReadOnlyList<string>> ServicesNotOnBestSiteAsync(LabHub hub, CancellationToken cancellationToken)
    {
        var best = Topology.Sites.OrderByDescending(s => s.Priority).First().Name;
        ControlResponse response;
        try
        {
            response = await new ControlClient(paths.NodeSocket(hub.Name)).SendAsync(new ControlRequest("status"), cancellationToken);
        }
        catch (ControlUnavailableException)
        {
            return [$"an answer from the {HubLabel(hub)}'s control socket"];
        }
        if (response.Result is not { } result)
            return [$"a status from the {HubLabel(hub)} ({response.Error})"];
        HubStatus status;
        try
        {
            status = result.Deserialize<HubStatus>(ControlJson.Options)!;
        }
        catch (JsonException e)
        {
            // Tolerant: a hub whose status grew or changed shape is not ready yet, rather than a crash of the lab.
            return [$"a status from the {HubLabel(hub)} the lab can read ({e.Message})"];
        }
        var on = Topology.IsHubPair ? $" on {hub.Name}" : "";
        return [.. status.Services.Where(s => s.ServingSite != best).Select(s => $"{s.Name} served by {best}{on} (now: {s.ServingSite ?? "none"})")];
    }

    /// <summary>"hub" for the single hub (the words the lab has always used), the hub's name in a pair.</summary>
    private string HubLabel(LabHub hub) => Topology.IsHubPair ? hub.Name : "hub";

    private static string DescribeVipHoldings(IReadOnlyDictionary<string, IReadOnlyList<System.Net.IPAddress>> held)
    {
        var holders = held.Where(h => h.Value.Count > 0).Select(h => $"{h.Key} has {string.Join(" ", h.Value)}").ToList();
        return holders.Count == 0 ? "no hub has them" : string.Join("; ", holders);
    }

    private string DescribeNotReady(string what, IReadOnlyList<string> missing)
    {
        var message = new StringBuilder();
        message.Append(CultureInfo.InvariantCulture, $"Lab {Prefix}: {what}; still missing {string.Join(", ", missing)}.");
        foreach (var node in Topology.Nodes)
        {
            var state = DaemonPid(node) is { } pid ? $"running (pid {pid})" : "NOT running";
            message.Append(CultureInfo.InvariantCulture, $"\n--- {node}: {state}. {LogTail.Describe(paths.LogFile(node))}");
        }
        return message.ToString();
    }
}
