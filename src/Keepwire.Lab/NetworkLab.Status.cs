using System.Net;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

public sealed partial class NetworkLab
{
    /// <summary>
    /// Looks at a lab from outside: which namespaces exist, whether the tracked processes are
    /// alive, each hub's handshakes, which hub holds the VIPs, and which site answers on each VIP
    /// (asked from the client with curl and socat, with short timeouts, so a broken lab reports quickly).
    /// </summary>
    public async Task<LabStatus> StatusAsync(string prefix, string stateRoot = LabOptions.DefaultStateRoot, CancellationToken cancellationToken = default)
    {
        LabNaming.EnsureValidPrefix(prefix);
        var paths = new LabPaths(stateRoot, prefix);
        var existing = (await LabTeardown.ListNamespacesAsync(runner, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var topology = TopologyOf(paths, existing);
        var namespaces = topology.Hosts.Select(h => new LabNamespaceStatus(topology.NamespaceOf(h), existing.Contains(topology.NamespaceOf(h)))).ToList();
        var processes = new LabProcesses(runner, paths, logger).Tracked()
            .Select(p => new LabProcessStatus(p.Name, p.Pid, LabProcesses.IsAlive(p.Pid)))
            .ToList();

        if (!Directory.Exists(paths.Root) || namespaces.Any(n => !n.Exists))
            return new LabStatus(prefix, paths.Root, Directory.Exists(paths.Root), namespaces, processes, [], [], []);

        var handle = new LabHandle(this, runner, paths, topology, [], logger);
        var now = DateTimeOffset.UtcNow;
        var handshakes = new List<LabHandshakeStatus>();
        foreach (var hub in topology.Hubs)
        {
            handshakes.AddRange((await handle.ReadHandshakesAsync(hub.Name, cancellationToken))
                .Select(h => new LabHandshakeStatus(h.Key, h.Value, h.Value is { } at ? Math.Max(0, (now - at).TotalSeconds) : null, hub.Name)));
        }
        var vipHolders = (await handle.VipsByHubAsync(cancellationToken)).Where(h => h.Value.Count > 0).Select(h => h.Key).ToList();

        var serving = new List<LabServingStatus>();
        foreach (var vip in topology.Vips.Both)
        {
            serving.Add(Serving("web", $"{FormatHost(vip)}:80", await AskWebAsync(handle, vip, cancellationToken)));
            serving.Add(Serving("echo", $"{FormatHost(vip)}:{LabEchoServer.Port}", await AskEchoAsync(handle, vip, cancellationToken)));
        }
        return new LabStatus(prefix, paths.Root, true, namespaces, processes, handshakes, vipHolders, serving);
    }

    /// <summary>
    /// The layout the manifest records; without one (a lab whose state directory is gone), a hub
    /// pair if its hub1 namespace exists.
    /// </summary>
    private static LabTopology TopologyOf(LabPaths paths, IReadOnlySet<string> existingNamespaces)
    {
        if (File.Exists(paths.ManifestFile))
        {
            try
            {
                return LabManifest.Read(paths.ManifestFile).Topology;
            }
            catch (LabException)
            {
                // Unreadable: tell the layout from the namespaces, as for a lab without a manifest.
            }
        }
        var pair = LabNaming.IsValidPairPrefix(paths.Prefix) && existingNamespaces.Contains(LabNaming.NamespaceOf(paths.Prefix, "hub1"));
        return LabTopology.Create(paths.Prefix, pair, siteRouter: existingNamespaces.Contains(LabNaming.NamespaceOf(paths.Prefix, "lan1")));
    }

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static Task<CommandResult> AskWebAsync(LabHandle handle, IPAddress vip, CancellationToken cancellationToken) =>
        handle.ExecAsync("client", ["curl", "--silent", "--show-error", "--max-time", "2", $"http://{FormatHost(vip)}/"], cancellationToken: cancellationToken);

    private static Task<CommandResult> AskEchoAsync(LabHandle handle, IPAddress vip, CancellationToken cancellationToken)
    {
        var family = vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "UDP6" : "UDP4";
        return handle.ExecAsync("client", ["socat", "-T2", "-", $"{family}:{FormatHost(vip)}:{LabEchoServer.Port}"], "status\n", cancellationToken);
    }

    private static LabServingStatus Serving(string service, string vip, CommandResult answer)
    {
        var site = SiteAnswer().Match(answer.StandardOutput);
        if (site.Success)
            return new LabServingStatus(service, vip, site.Groups["site"].Value, null);
        var error = answer.Succeeded ? "no answer" : answer.StandardError.Trim();
        return new LabServingStatus(service, vip, null, error.Length == 0 ? $"exit code {answer.ExitCode}" : error);
    }

    [GeneratedRegex(@"site=(?<site>[a-z0-9]+)")]
    private static partial Regex SiteAnswer();
}
