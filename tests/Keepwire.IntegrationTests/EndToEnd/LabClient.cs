using System.Net;
using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.IntegrationTests.Lab;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// What the end-to-end tests do to a running lab: requests from the client namespace, the real
/// keepwire CLI against the hub's control socket, and waiting for the hub to have reconciled.
/// </summary>
public static class LabClient
{
    private static readonly TimeSpan HubReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A single HTTP GET from the client; returns curl's result whatever it is.</summary>
    public static Task<CommandResult> CurlFromClientAsync(this LabHandle lab, string url, params string[] options) =>
        lab.ExecAsync("client", ["curl", "--silent", "--show-error", "--max-time", "5", .. options, url]);

    /// <summary>An HTTP GET from the client that must succeed; returns the body.</summary>
    public static async Task<string> GetFromClientAsync(this LabHandle lab, string url)
    {
        var result = await lab.CurlFromClientAsync(url);
        Assert.True(result.Succeeded, $"GET {url} from the client failed ({result.ExitCode}): {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>
    /// A datagram from the client to <paramref name="address"/>:<paramref name="port"/> (the lab's echo by default);
    /// returns the answer (empty if none came). socat connects its socket, so only an answer from that address
    /// counts, as for a real client. It gives up on an answer a moment (<c>-t</c>) after it has sent, so on a
    /// busy machine a slow answer is retried with a fresh datagram and a longer wait: UDP promises no more than
    /// that. A wrong answer is returned at once. With <paramref name="sourcePort"/> every datagram belongs to one flow.
    /// </summary>
    public static async Task<string> UdpEchoFromClientAsync(this LabHandle lab, IPAddress address, int port = 7, int? sourcePort = null)
    {
        var options = sourcePort is { } source ? $",sourceport={source}" : "";
        var answer = "";
        foreach (var wait in new[] { "0.5", "2", "4" })
        {
            var result = await lab.ExecAsync("client", ["socat", "-T5", "-t" + wait, "-", $"{Family.Socat("UDP", address)}:{Family.Host(address)}:{port}{options}"], "ping\n");
            answer = result.StandardOutput;
            if (answer.Length > 0)
                break;
        }
        return answer;
    }

    /// <summary>Runs the keepwire built with the tests (the real binary), in the root namespace.</summary>
    public static Task<CommandResult> RunKeepwireAsync(params string[] arguments)
    {
        var command = KeepwireExecutable.Command();
        return new CommandRunner().RunAsync(command[0], [.. command.Skip(1), .. arguments]);
    }

    /// <summary>Runs a keepwire control command against this lab's hub (<c>--socket</c> added).</summary>
    public static Task<CommandResult> KeepwireAtHubAsync(this LabHandle lab, params string[] arguments) =>
        RunKeepwireAsync([.. arguments, "--socket", lab.DaemonSocketPath("hub")]);

    /// <summary><c>keepwire failover SERVICE --to SITE</c>, which must succeed.</summary>
    public static async Task<CommandResult> FailoverAsync(this LabHandle lab, string service, string site)
    {
        var result = await lab.KeepwireAtHubAsync("failover", service, "--to", site);
        Assert.True(result.Succeeded, $"keepwire failover {service} --to {site} failed ({result.ExitCode}): {result.StandardError}");
        return result;
    }

    /// <summary><c>keepwire unpin SERVICE</c>, which must succeed; the status then shows no pin for it.</summary>
    public static async Task<CommandResult> UnpinAsync(this LabHandle lab, string service)
    {
        var result = await lab.KeepwireAtHubAsync("unpin", service);
        Assert.True(result.Succeeded, $"keepwire unpin {service} failed ({result.ExitCode}): {result.StandardError}");
        Assert.Null((await lab.HubStatusAsync()).Services.Single(s => s.Name == service).PinnedSite);
        return result;
    }

    public static Task<HubStatus> HubStatusAsync(this LabHandle lab) => HubStatusAsync(lab.DaemonSocketPath("hub"));

    private static async Task<HubStatus> HubStatusAsync(string socket)
    {
        var response = await new ControlClient(socket).SendAsync(new ControlRequest("status"));
        Assert.True(response.Ok, $"status failed: {response.Error}");
        return response.Result!.Value.Deserialize<HubStatus>(ControlJson.Options)!;
    }

    public static async Task<string?> ServingSiteAsync(this LabHandle lab, string service) =>
        (await lab.HubStatusAsync()).Services.Single(s => s.Name == service).ServingSite;

    /// <summary>Waits until the hub serves every service from <paramref name="site"/> (a fresh lab settling, a preempt).</summary>
    public static async Task WaitForEveryServiceOnAsync(this LabHandle lab, string site)
    {
        var deadline = DateTime.UtcNow + HubReadyTimeout;
        string lastSeen = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var services = (await lab.HubStatusAsync()).Services;
                if (services.All(s => s.ServingSite == site))
                    return;
                lastSeen = string.Join("; ", services.Select(s => $"{s.Name} → {s.ServingSite ?? "none"} ({s.Reason})"));
            }
            catch (ControlUnavailableException e)
            {
                lastSeen = e.Message;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the hub did not serve every service from {site} within {HubReadyTimeout.TotalSeconds} s: {lastSeen}. Hub log: {ReadLogTail(lab.DaemonLogFile("hub"))}");
    }

    /// <summary>
    /// Waits until the hub finds every site healthy, every check of it passed: a test that pins or fails over to another
    /// site right after the lab came up must not find that site still counting its rises.
    /// </summary>
    public static async Task WaitForEverySiteHealthyAsync(this LabHandle lab)
    {
        var deadline = DateTime.UtcNow + HubReadyTimeout;
        string lastSeen = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var sites = (await lab.HubStatusAsync()).Sites;
                if (sites.All(s => (s.Health.StartsWith(SiteStatus.HealthyWord, StringComparison.Ordinal) || s.Health == SiteStatus.NoServicesWords) && s.Checks.All(c => c.State == "healthy")))
                    return;
                lastSeen = string.Join("; ", sites.Select(s => $"{s.Name} {s.Health}"));
            }
            catch (ControlUnavailableException e)
            {
                lastSeen = e.Message;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the hub did not find every site healthy within {HubReadyTimeout.TotalSeconds} s: {lastSeen}");
    }

    /// <summary>
    /// Waits until the client's requests to both VIPs are answered by <paramref name="site"/>: the hubs'
    /// statuses say who serves, this says the data path agrees (in a pair, the client's neighbour
    /// entry for the VIPs points at the hub that holds them now), so a test's first request does not
    /// meet a lab still settling.
    /// </summary>
    public static async Task WaitForClientAnsweredByAsync(this LabHandle lab, string site)
    {
        var deadline = DateTime.UtcNow + HubReadyTimeout;
        var urls = new[] { Family.Url(lab.Topology.Vips.IPv4), Family.Url(lab.Topology.Vips.IPv6) };
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            var answers = await Task.WhenAll(urls.Select(url => lab.CurlFromClientAsync(url, "--connect-timeout", "2")));
            if (answers.All(a => a.Succeeded && a.StandardOutput.StartsWith($"site={site} ", StringComparison.Ordinal)))
                return;
            last = string.Join("; ", answers.Select(a => a.Succeeded ? a.StandardOutput.Trim() : a.StandardError.Trim()));
            await Task.Delay(100);
        }
        Assert.Fail($"the client was not answered by {site} on both VIPs within {HubReadyTimeout.TotalSeconds} s: {last}");
    }

    /// <summary>
    /// Waits until the hub answers on its control socket and has finished a reconcile pass at or
    /// after <paramref name="since"/> (a restarted hub: its first pass; a stale socket left by a
    /// killed one refuses connections, so it does not count).
    /// </summary>
    public static Task WaitForHubReconciledAsync(this LabHandle lab, DateTimeOffset since) =>
        WaitForHubReconciledAsync(lab.DaemonSocketPath("hub"), since, lab.DaemonLogFile("hub"));

    /// <summary>
    /// Waits until the hub on <paramref name="socket"/> has finished a reconcile pass at or after
    /// <paramref name="since"/> without an error; a failure shows the tail of <paramref name="logFile"/>.
    /// </summary>
    public static async Task WaitForHubReconciledAsync(string socket, DateTimeOffset since, string logFile)
    {
        var deadline = DateTime.UtcNow + HubReadyTimeout;
        string lastProblem = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await HubStatusAsync(socket);
                if (status.LastReconcileAt is { } at && at >= since && status.LastError is null)
                    return;
                lastProblem = $"last reconcile {status.LastReconcileAt?.ToString("O") ?? "never"}, error {status.LastError ?? "none"}";
            }
            catch (ControlUnavailableException e)
            {
                lastProblem = e.Message;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the hub did not reconcile within {HubReadyTimeout.TotalSeconds} s: {lastProblem}. Hub log: {ReadLogTail(logFile)}");
    }

    /// <summary>Makes sure the hub daemon runs (starting it if a test stopped it) and has reconciled.</summary>
    public static async Task EnsureHubRunningAsync(this LabHandle lab)
    {
        if (lab.DaemonPid("hub") is null)
        {
            var startedAt = DateTimeOffset.UtcNow;
            await lab.StartDaemonAsync("hub");
            await lab.WaitForHubReconciledAsync(startedAt);
        }
    }

    public static string ReadLogTail(string path, int characters = 3000)
    {
        if (!File.Exists(path))
            return $"({path} does not exist)";
        var text = File.ReadAllText(path);
        return text.Length <= characters ? text : "…" + text[^characters..];
    }

    /// <summary>What a daemon wrote to its log after <paramref name="offset"/> bytes (the lab appends across restarts).</summary>
    public static string ReadLogFrom(string path, long offset)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Assert.True(stream.Length >= offset, $"{path} shrank; cannot tell the new lines apart");
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
