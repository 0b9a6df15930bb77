using System.Globalization;

namespace Keepwire.Lab;

/// <summary>The hub and site daemons of a lab: started detached inside their namespaces, tracked by pid.</summary>
public sealed partial class LabHandle
{
    /// <summary>
    /// Starts the daemon of <paramref name="node"/> and returns its pid; does not wait for it to be
    /// ready. Runs <c>KEEPWIRE hub --config C --node HUB --socket S --state-dir D</c>, or
    /// <c>KEEPWIRE site --config C --node NAME --socket S</c>, inside the node's namespace.
    /// </summary>
    public async Task<int> StartDaemonAsync(string node, CancellationToken cancellationToken = default)
    {
        var ns = Topology.NamespaceOfNode(node);
        var role = Topology.IsHub(node) ? "hub" : "site";
        List<string> command = [.. role == "hub" ? HubCommand : KeepwireCommand, role, "--config", paths.ConfigFile, "--node", node, "--socket", paths.NodeSocket(node)];
        if (role == "hub")
        {
            // Only the hub keeps state (operator intent: pins, drains); a site has no --state-dir.
            Directory.CreateDirectory(paths.NodeStateDirectory(node));
            command.AddRange(["--state-dir", paths.NodeStateDirectory(node)]);
        }
        return await processes.StartDetachedAsync(node, ns, command, cancellationToken);
    }

    /// <summary>Starts the hub (hub1 then hub2 in a pair), then every site.</summary>
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

    /// <summary>The (first) hub's view of the latest handshake with each site (null: none yet).</summary>
    public Task<IReadOnlyDictionary<string, DateTimeOffset?>> ReadHandshakesAsync(CancellationToken cancellationToken = default) =>
        ReadHandshakesAsync(Topology.Hub.Name, cancellationToken);

    /// <summary>The view of hub <paramref name="hub"/> of its latest handshake with each site (null: none yet).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset?>> ReadHandshakesAsync(string hub, CancellationToken cancellationToken = default)
    {
        var wireGuard = Topology.HubNamed(hub).WireGuardInterface;
        var result = await ExecAsync(hub, ["wg", "show", wireGuard, "latest-handshakes"], cancellationToken: cancellationToken);
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
}
