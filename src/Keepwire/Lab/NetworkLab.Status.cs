using System.Net;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

public sealed partial class NetworkLab
{
    /// <summary>
    /// Looks at a lab from outside: which namespaces exist, whether the tracked processes are
    /// alive, the hub's handshakes, and which site answers on each VIP (asked from the client with
    /// curl and socat, with short timeouts, so a broken lab reports quickly).
    /// </summary>
    public async Task<LabStatus> StatusAsync(string prefix, string stateRoot = LabOptions.DefaultStateRoot, CancellationToken cancellationToken = default)
    {
        LabNaming.EnsureValidPrefix(prefix);
        var topology = LabTopology.Create(prefix);
        var paths = new LabPaths(stateRoot, prefix);
        var existing = (await LabTeardown.ListNamespacesAsync(runner, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var namespaces = LabNaming.Hosts.Select(h => new LabNamespaceStatus(topology.NamespaceOf(h), existing.Contains(topology.NamespaceOf(h)))).ToList();
        var processes = new LabProcesses(runner, paths, logger).Tracked()
            .Select(p => new LabProcessStatus(p.Name, p.Pid, LabProcesses.IsAlive(p.Pid)))
            .ToList();

        if (!Directory.Exists(paths.Root) || namespaces.Any(n => !n.Exists))
            return new LabStatus(prefix, paths.Root, Directory.Exists(paths.Root), namespaces, processes, [], []);

        var handle = new LabHandle(this, runner, paths, [], logger);
        var now = DateTimeOffset.UtcNow;
        var handshakes = (await handle.ReadHandshakesAsync(cancellationToken))
            .Select(h => new LabHandshakeStatus(h.Key, h.Value, h.Value is { } at ? Math.Max(0, (now - at).TotalSeconds) : null))
            .ToList();

        var serving = new List<LabServingStatus>();
        foreach (var vip in topology.Vips.Both)
        {
            serving.Add(Serving("web", $"{FormatHost(vip)}:80", await AskWebAsync(handle, vip, cancellationToken)));
            serving.Add(Serving("echo", $"{FormatHost(vip)}:{LabEchoServer.Port}", await AskEchoAsync(handle, vip, cancellationToken)));
        }
        return new LabStatus(prefix, paths.Root, true, namespaces, processes, handshakes, serving);
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
