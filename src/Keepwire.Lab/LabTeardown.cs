using System.Globalization;
using System.Text.Json;
using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Lab;

/// <summary>
/// Removes everything one lab made, whatever state it is in: fully up, half built, or left behind
/// by a run that was killed. Every step runs even when an earlier one failed; the failures are
/// reported together at the end. The order matters:
/// <list type="number">
/// <item>WireGuard interfaces first: wireguard-go exits only when its interface is deleted, and a
/// deleted namespace would not stop it (the process itself keeps the namespace alive).</item>
/// <item>Then the processes the lab tracks by pid, then any other process still inside one of the
/// lab's namespaces (found by namespace membership, never by name): also what a daemon started
/// detached, such as a hub's keepalived and conntrackd.</item>
/// <item>Then the namespaces (the internet namespace last: cleanup finds partial labs by it), the
/// /etc/netns files, stale wireguard-go sockets, and the state directory.</item>
/// </list>
/// A lab may be a single hub or a hub pair, and its manifest (which says which) may be gone, so
/// teardown looks for the names of both layouts.
/// </summary>
internal sealed class LabTeardown(ICommandRunner runner, LabPaths paths, ILogger logger)
{
    private const string WireGuardSocketDirectory = "/var/run/wireguard";
    private const int MaxSweeps = 5;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly List<string> failures = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var layouts = LabTopology.PossibleLayouts(paths.Prefix);
        var internetNamespace = layouts[0].InternetNamespace;
        var allNamespaces = layouts.SelectMany(t => t.Hosts.Select(t.NamespaceOf)).Distinct(StringComparer.Ordinal).ToList();
        var wireGuardNames = layouts.SelectMany(t => t.WireGuardInterfaces).ToHashSet(StringComparer.Ordinal);
        Log.TearingDown(logger, paths.Prefix);
        var existing = (await ListNamespacesAsync(runner, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var labNamespaces = allNamespaces.Where(existing.Contains).ToList();

        foreach (var ns in labNamespaces)
            await StepAsync($"delete WireGuard interfaces in {ns}", () => DeleteWireGuardInterfacesAsync(ns, wireGuardNames, cancellationToken));
        await StepAsync("stop tracked processes", () => StopTrackedProcessesAsync(labNamespaces, cancellationToken));
        foreach (var ns in labNamespaces)
            await StepAsync($"stop processes in {ns}", () => StopProcessesInNamespaceAsync(ns, cancellationToken));

        // The internet namespace last, so a teardown cut short still leaves the lab findable.
        foreach (var ns in labNamespaces.OrderBy(ns => ns == internetNamespace))
            await StepAsync($"delete namespace {ns}", () => runner.RunCheckedAsync("ip", ["netns", "del", ns], cancellationToken: cancellationToken));

        foreach (var ns in allNamespaces)
            await StepAsync($"remove /etc/netns files of {ns}", () => RemoveDirectoryAsync(LabPaths.EtcNetnsDirectory(ns)));
        await StepAsync("remove stale wireguard-go sockets", () => RemoveStaleWireGuardSocketsAsync(wireGuardNames));
        // With every process stopped, the logs are complete.
        if (LabLogArchive.Directory is { } archive)
            await StepAsync($"keep the logs in {archive}", () => ArchiveLogsAsync(archive));
        await StepAsync($"remove state directory {paths.Root}", () => RemoveDirectoryAsync(paths.Root));

        if (failures.Count > 0)
            throw new LabException($"Lab {paths.Prefix} was not removed completely:\n  " + string.Join("\n  ", failures));
    }

    /// <summary>Names of all network namespaces on the machine.</summary>
    public static async Task<IReadOnlyList<string>> ListNamespacesAsync(ICommandRunner runner, CancellationToken cancellationToken)
    {
        var output = (await runner.RunCheckedAsync("ip", ["netns", "list"], cancellationToken: cancellationToken)).StandardOutput;
        // Lines look like "kw1a2b-hub (id: 3)" or just "kw1a2b-hub".
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .ToList();
    }

    private async Task StepAsync(string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.CleanupStepFailed(logger, paths.Prefix, step, e.Message);
            failures.Add($"{step}: {e.Message}");
        }
    }

    private async Task DeleteWireGuardInterfacesAsync(string ns, IReadOnlySet<string> wireGuardNames, CancellationToken cancellationToken)
    {
        var json = (await runner.RunCheckedAsync("ip", ["-n", ns, "-j", "-d", "link", "show"], cancellationToken: cancellationToken)).StandardOutput;
        using var links = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        foreach (var link in links.RootElement.EnumerateArray())
        {
            var name = link.GetProperty("ifname").GetString() ?? "";
            var kind = link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var k) ? k.GetString() : null;
            // The lab's own WireGuard names, and any other tun/wireguard device a daemon made in the lab.
            if (wireGuardNames.Contains(name) || kind is "tun" or "wireguard")
                await runner.RunCheckedAsync("ip", ["-n", ns, "link", "del", "dev", name], cancellationToken: cancellationToken);
        }
    }

    private async Task StopTrackedProcessesAsync(IReadOnlyList<string> labNamespaces, CancellationToken cancellationToken)
    {
        var processes = new LabProcesses(runner, paths, logger);
        foreach (var (name, pid) in processes.Tracked())
        {
            // A pid file can outlive its process and the pid be reused: signal only a process that is
            // still inside one of this lab's namespaces.
            if (LabProcesses.IsAlive(pid) && labNamespaces.Contains(await NamespaceOfPidAsync(pid, cancellationToken)))
                await processes.StopAsync(pid, "TERM", StopGrace, cancellationToken);
            processes.ForgetPid(name);
        }
    }

    private async Task StopProcessesInNamespaceAsync(string ns, CancellationToken cancellationToken)
    {
        var processes = new LabProcesses(runner, paths, logger);
        // Look again after each sweep: a supervisor can start a process while its siblings are being
        // stopped (keepalived restarts its VRRP child when that one dies first).
        for (var sweep = 0; ; sweep++)
        {
            var output = (await runner.RunCheckedAsync("ip", ["netns", "pids", ns], cancellationToken: cancellationToken)).StandardOutput;
            var pids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .Where(LabProcesses.IsAlive)
                .ToList();
            if (pids.Count == 0)
                return;
            if (sweep == MaxSweeps)
                throw new LabException($"processes {string.Join(", ", pids)} kept appearing in {ns} after {MaxSweeps} sweeps");
            foreach (var pid in pids)
            {
                Log.KillingLeftover(logger, paths.Prefix, pid, ns);
                await processes.StopAsync(pid, "TERM", StopGrace, cancellationToken);
            }
        }
    }

    private async Task<string> NamespaceOfPidAsync(int pid, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("ip", ["netns", "identify", pid.ToString(CultureInfo.InvariantCulture)], cancellationToken: cancellationToken);
        return result.Succeeded ? result.StandardOutput.Trim() : "";
    }

    private static Task RemoveStaleWireGuardSocketsAsync(IEnumerable<string> wireGuardNames)
    {
        // By now every wireguard-go of the lab has exited (its namespace had no process left), so
        // a socket still there is stale: a wireguard-go killed with SIGKILL leaves it behind.
        foreach (var name in wireGuardNames)
            File.Delete(Path.Combine(WireGuardSocketDirectory, name + ".sock"));
        return Task.CompletedTask;
    }

    private Task ArchiveLogsAsync(string archive)
    {
        if (LabLogArchive.Copy(paths, archive, DateTimeOffset.UtcNow) is { } kept)
            Log.LogsKept(logger, paths.Prefix, kept);
        return Task.CompletedTask;
    }

    private static Task RemoveDirectoryAsync(string directory)
    {
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        return Task.CompletedTask;
    }
}
