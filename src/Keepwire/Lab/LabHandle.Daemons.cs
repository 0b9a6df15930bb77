using System.Globalization;
using System.Text;
using System.Text.Json;
using Keepwire.Control;
using Keepwire.Hub;

namespace Keepwire.Lab;

/// <summary>The hub and site daemons of a lab: started detached inside their namespaces, tracked by pid.</summary>
public sealed partial class LabHandle
{
    /// <summary>
    /// Starts the daemon of <paramref name="node"/> and returns its pid; does not wait for it to be
    /// ready. Runs <c>KEEPWIRE hub --config C --node hub --socket S --state-dir D</c>, or
    /// <c>KEEPWIRE site --config C --node NAME --socket S</c>, inside the node's namespace.
    /// </summary>
    public async Task<int> StartDaemonAsync(string node, CancellationToken cancellationToken = default)
    {
        var ns = Topology.NamespaceOfNode(node);
        var role = node == Topology.Hub.Name ? "hub" : "site";
        List<string> command = [.. KeepwireCommand, role, "--config", paths.ConfigFile, "--node", node, "--socket", paths.NodeSocket(node)];
        if (role == "hub")
        {
            // Only the hub keeps state (operator intent: pins, drains); a site has no --state-dir.
            Directory.CreateDirectory(paths.NodeStateDirectory(node));
            command.AddRange(["--state-dir", paths.NodeStateDirectory(node)]);
        }
        return await processes.StartDetachedAsync(node, ns, command, cancellationToken);
    }

    /// <summary>Starts the hub, then every site.</summary>
    public async Task StartDaemonsAsync(CancellationToken cancellationToken = default)
    {
        foreach (var node in Topology.Nodes)
            await StartDaemonAsync(node, cancellationToken);
    }

    /// <summary>Stops a daemon gracefully (SIGTERM; SIGKILL if it has not exited after 15 s).</summary>
    public Task StopDaemonAsync(string node, CancellationToken cancellationToken = default)
    {
        _ = Topology.NamespaceOfNode(node);
        return processes.StopAsync(node, "TERM", DaemonStopGrace, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (KILL by default: a crash) to a daemon and, for KILL, waits
    /// until it is gone. What the daemon made (WireGuard interface, nftables table, routes) stays
    /// behind, exactly as after a real crash.
    /// </summary>
    public async Task KillDaemonAsync(string node, string signal = "KILL", CancellationToken cancellationToken = default)
    {
        _ = Topology.NamespaceOfNode(node);
        if (DaemonPid(node) is not { } pid)
            throw new LabException($"The {node} daemon is not running (no pid file).");
        await processes.SignalAsync(pid, signal, cancellationToken);
        if (signal is "KILL" or "9" or "SIGKILL")
        {
            await LabProcesses.WaitForExitAsync(pid, TimeSpan.FromSeconds(10), cancellationToken);
            processes.ForgetPid(node);
        }
    }

    /// <summary>The pid of a daemon if it is running.</summary>
    public int? DaemonPid(string node) => processes.ReadPid(node) is { } pid && LabProcesses.IsAlive(pid) ? pid : null;

    /// <summary>The hub's view of the latest handshake with each site (null: none yet).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset?>> ReadHandshakesAsync(CancellationToken cancellationToken = default)
    {
        var result = await ExecAsync("hub", ["wg", "show", Topology.Hub.WireGuardInterface, "latest-handshakes"], cancellationToken: cancellationToken);
        var byKey = new Dictionary<string, long>(StringComparer.Ordinal);
        if (result.Succeeded)
        {
            foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split('\t');
                if (fields.Length == 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    byKey[fields[0]] = seconds;
            }
        }
        return Topology.Sites.ToDictionary(
            s => s.Name,
            s => byKey.TryGetValue(PublicKey(s.Name), out var seconds) && seconds > 0 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null);
    }

    /// <summary>
    /// Waits until the hub's control socket exists and every site has a WireGuard handshake with
    /// the hub; on timeout, fails with what is missing and the end of every daemon's log.
    /// </summary>
    public async Task WaitForDaemonsReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var missing = new List<string>();
            if (!File.Exists(paths.NodeSocket(Topology.Hub.Name)))
                missing.Add($"the hub socket {paths.NodeSocket(Topology.Hub.Name)}");
            var handshakes = await ReadHandshakesAsync(cancellationToken);
            missing.AddRange(handshakes.Where(h => h.Value is null).Select(h => $"a handshake from {h.Key}"));
            if (missing.Count == 0)
                missing.AddRange(await ServicesNotOnBestSiteAsync(cancellationToken));
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

    /// <summary>
    /// Services the hub does not serve from their highest-priority site yet. Sites come up one by one
    /// after the hub, so the hub may first choose a lower site and preempt back once the best one has
    /// been healthy for the preempt delay: the lab is ready when that has happened.
    /// </summary>
    private async Task<IReadOnlyList<string>> ServicesNotOnBestSiteAsync(CancellationToken cancellationToken)
    {
        var best = Topology.Sites.OrderByDescending(s => s.Priority).First().Name;
        ControlResponse response;
        try
        {
            response = await new ControlClient(paths.NodeSocket(Topology.Hub.Name)).SendAsync(new ControlRequest("status"), cancellationToken);
        }
        catch (ControlUnavailableException)
        {
            return ["an answer from the hub's control socket"];
        }
        if (response.Result is not { } result)
            return [$"a status from the hub ({response.Error})"];
        var status = result.Deserialize<HubStatus>(ControlJson.Options)!;
        return [.. status.Services.Where(s => s.ServingSite != best).Select(s => $"{s.Name} served by {best} (now: {s.ServingSite ?? "none"})")];
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
