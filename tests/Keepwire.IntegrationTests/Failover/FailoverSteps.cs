using System.Globalization;
using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.Control;
using Keepwire.Decisions;
using Keepwire.Hub;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// What the failover tests do to a running lab beyond <see cref="LabClient"/>: break and mend a
/// site, read the hub's decision history through the real CLI, and wait for the hub to decide.
/// </summary>
public static class FailoverSteps
{
    /// <summary>Long enough for detection, hold-down and preempt delay on a loaded 2-core machine.</summary>
    public static readonly TimeSpan DecisionTimeout = TimeSpan.FromSeconds(40);

    /// <summary>The documented defaults of the failover keys (docs/configuration.md); the lab's config sets none of them.</summary>
    public static readonly TimeSpan DefaultPreemptDelay = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultHoldDown = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A client asking the web service over both families, one request at a time, until stopped.
    /// A request that meets a dead site is meant to survive by retrying its SYN into the new site:
    /// it gets the SYN retransmissions (1 s, 3 s, 7 s) a real client would have.
    /// </summary>
    public static RequestLoop StartClientLoop(this LabHandle lab) =>
        RequestLoop.StartUntilStopped(
            lab, TimeSpan.FromMilliseconds(20), connectTimeout: TimeSpan.FromSeconds(8), requestTimeout: TimeSpan.FromSeconds(15),
            Family.Url(lab.Topology.Vips.IPv4), Family.Url(lab.Topology.Vips.IPv6));

    /// <summary>The decision history from <c>keepwire events --json</c>, oldest first.</summary>
    public static async Task<IReadOnlyList<DecisionEvent>> EventsAsync(this LabHandle lab)
    {
        var result = await lab.KeepwireAtHubAsync("events", "--json");
        Assert.True(result.Succeeded, $"keepwire events --json failed ({result.ExitCode}): {result.StandardError}");
        return JsonSerializer.Deserialize<List<DecisionEvent>>(result.StandardOutput, ControlJson.Options)!;
    }

    /// <summary>The decision history as an operator reads it (<c>keepwire events</c>).</summary>
    public static async Task<string> EventsTextAsync(this LabHandle lab)
    {
        var result = await lab.KeepwireAtHubAsync("events");
        Assert.True(result.Succeeded, $"keepwire events failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }

    public static string Describe(IEnumerable<DecisionEvent> events) =>
        string.Join("\n", events.Select(e => e.ToString()));

    public static async Task<ServiceStatus> ServiceAsync(this LabHandle lab, string service) =>
        (await lab.HubStatusAsync()).Services.Single(s => s.Name == service);

    public static async Task<SiteStatus> SiteAsync(this LabHandle lab, string site) =>
        (await lab.HubStatusAsync()).Sites.Single(s => s.Name == site);

    /// <summary>Waits until the hub serves <paramref name="service"/> from <paramref name="site"/>; returns that status.</summary>
    public static Task<ServiceStatus> WaitForServingAsync(this LabHandle lab, string service, string site, TimeSpan? timeout = null) =>
        lab.WaitForStatusAsync(
            $"{service} served by {site}",
            status => status.Services.Single(s => s.Name == service) is var s && s.ServingSite == site ? s : null,
            timeout);

    /// <summary>Waits until every check of <paramref name="site"/> is healthy in the hub's view.</summary>
    public static Task<SiteStatus> WaitForHealthyAsync(this LabHandle lab, string site, TimeSpan? timeout = null) =>
        lab.WaitForStatusAsync(
            $"{site} healthy",
            status => status.Sites.Single(s => s.Name == site) is var s && s.Health == "healthy" && s.Checks.All(c => c.State == "healthy") ? s : null,
            timeout);

    public static async Task<T> WaitForStatusAsync<T>(this LabHandle lab, string what, Func<HubStatus, T?> reached, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DecisionTimeout);
        HubStatus? last = null;
        while (true)
        {
            try
            {
                last = await lab.HubStatusAsync();
                if (reached(last) is { } value)
                    return value;
            }
            catch (ControlUnavailableException)
            {
                // A hub being restarted: keep asking until the deadline.
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {(timeout ?? DecisionTimeout).TotalSeconds} s waiting for {what}; last status: {DescribeStatus(last)}\nevents:\n{Describe(await lab.EventsAsync())}");
            await Task.Delay(100);
        }
    }

    public static string DescribeStatus(HubStatus? status) =>
        status is null
            ? "(none)"
            : string.Join("; ", status.Services.Select(s => $"{s.Name} → {s.ServingSite ?? "none"} (epoch {s.Epoch}: {s.Reason})"))
              + " | " + string.Join("; ", status.Sites.Select(s => $"{s.Name} {s.Health}{(s.Drained ? " drained" : "")} [{string.Join(", ", s.Checks.Select(c => $"{c.Name}:{c.State} {c.Detail}"))}]"));

    /// <summary>
    /// kill -9 of every process in the site's namespace (nginx, the UDP echoes, the site agent,
    /// wireguard-go): the machine lost power, as far as anyone outside can tell. Returns the pids.
    /// </summary>
    public static async Task<IReadOnlyList<int>> KillEverythingAtAsync(this LabHandle lab, string site)
    {
        var listed = await new CommandRunner().RunAsync("ip", ["netns", "pids", lab.Topology.Site(site).Namespace]);
        Assert.True(listed.Succeeded, $"ip netns pids failed: {listed.StandardError}");
        var pids = listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToList();
        Assert.NotEmpty(pids);
        var killed = await new CommandRunner().RunAsync("kill", ["-9", .. pids]);
        // A pid that exited by itself in between is not a problem; any other error is.
        Assert.True(killed.Succeeded || killed.StandardError.Contains("No such process", StringComparison.Ordinal), $"kill -9 failed: {killed.StandardError}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (pids.Any(p => Directory.Exists($"/proc/{p}") && !IsZombie(p)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"processes of {site} survived kill -9: {string.Join(", ", pids.Where(p => Directory.Exists($"/proc/{p}")))}");
            await Task.Delay(50);
        }
        return [.. pids.Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }

    /// <summary>Starts what <see cref="KillEverythingAtAsync"/> killed: the site agent (and so its WireGuard), nginx, the echoes.</summary>
    public static async Task RestartEverythingAtAsync(this LabHandle lab, string site)
    {
        await lab.StartDaemonAsync(site);
        await lab.StartSiteWebServerAsync(site);
        await lab.StartSiteEchoServerAsync(site);
    }

    /// <summary>
    /// Puts the lab back the way the failover tests start from, whatever a test (even a failed one)
    /// left behind: the lab's own config loaded, every daemon and server running, every link up, no
    /// site drained, no site's local check failing, no test table in the hub, and web and echo served
    /// by alpha with every site healthy.
    /// </summary>
    public static async Task RestoreSteadyStateAsync(this LabHandle lab, string labConfig)
    {
        await lab.EnsureHubRunningAsync();
        await lab.ExecAsync("hub", "nft", "delete", "table", "inet", PacketLoss.TableName);
        foreach (var site in lab.Topology.Sites)
        {
            await lab.RestoreLinkAsync(site.Name);
            if (File.Exists(lab.LocalCheckFlagFile(site.Name)))
                File.Delete(lab.LocalCheckFlagFile(site.Name));
            if (lab.DaemonPid(site.Name) is null)
                await lab.StartDaemonAsync(site.Name);
            if (!await IsListeningAsync(lab, site.Name, "-t", ":80", expected: 1))
            {
                await lab.StopSiteWebServerAsync(site.Name);
                await lab.StartSiteWebServerAsync(site.Name);
            }
            if (!await IsListeningAsync(lab, site.Name, "-u", ":7", expected: LabEchoSockets))
            {
                await lab.StopSiteEchoServerAsync(site.Name);
                await lab.StartSiteEchoServerAsync(site.Name);
            }
        }

        if (await File.ReadAllTextAsync(lab.ConfigPath) != labConfig)
        {
            await File.WriteAllTextAsync(lab.ConfigPath, labConfig);
            await lab.ReloadAsync();
        }
        foreach (var site in (await lab.HubStatusAsync()).Sites.Where(s => s.Drained))
            await lab.KeepwireAtHubAsync("undrain", site.Name);

        foreach (var site in lab.Topology.Sites)
            await lab.WaitForHealthyAsync(site.Name, TimeSpan.FromSeconds(60));
        await lab.WaitForServingAsync("web", "alpha", TimeSpan.FromSeconds(60));
        await lab.WaitForServingAsync("echo", "alpha", TimeSpan.FromSeconds(60));
    }

    public static async Task ReloadAsync(this LabHandle lab)
    {
        var reload = await lab.KeepwireAtHubAsync("reload");
        Assert.True(reload.Succeeded, $"keepwire reload failed ({reload.ExitCode}): {reload.StandardError}\nHub daemon {(lab.DaemonPid("hub") is { } pid ? $"pid {pid} running" : "not running")}; its log: {LabClient.ReadLogTail(lab.DaemonLogFile("hub"))}");
    }

    /// <summary>Writes the lab's config with <paramref name="from"/> (first occurrence) replaced, and reloads it.</summary>
    public static async Task ReloadWithAsync(this LabHandle lab, string labConfig, string from, string to)
    {
        var at = labConfig.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the lab's config");
        await File.WriteAllTextAsync(lab.ConfigPath, string.Concat(labConfig.AsSpan(0, at), to, labConfig.AsSpan(at + from.Length)));
        await lab.ReloadAsync();
    }

    /// <summary>The web service's ports line in the lab's config: service keys go right after it.</summary>
    public const string WebPortsLine = "    ports: [tcp/80]\n";

    /// <summary>One UDP echo socket per tunnel and host address, both families.</summary>
    private const int LabEchoSockets = 4;

    private static async Task<bool> IsListeningAsync(LabHandle lab, string site, string protocol, string port, int expected)
    {
        var sockets = await lab.ExecAsync(site, "ss", "-Hln", protocol, $"( sport = {port} )");
        return sockets.Succeeded && sockets.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= expected;
    }

    private static bool IsZombie(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
