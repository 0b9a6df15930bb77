using System.Text.Json;
using Keepwire.Control;
using Keepwire.Hub;
using Keepwire.IntegrationTests.EndToEnd;
using Keepwire.IntegrationTests.Failover;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.HubPair;

/// <summary>What the hub-pair tests do to a running pair lab: read each hub, wait for the VIPs, put everything back.</summary>
public static class HubPairSteps
{
    /// <summary>VRRP, the daemon grace (3 s) and a loaded 2-core machine: generous on purpose.</summary>
    public static readonly TimeSpan PairTimeout = TimeSpan.FromSeconds(40);

    public static readonly string[] Hubs = ["hub1", "hub2"];

    public static string Other(string hub) => hub == "hub1" ? "hub2" : "hub1";

    public static async Task<HubStatus> StatusAtAsync(this LabHandle lab, string hub)
    {
        var response = await new ControlClient(lab.DaemonSocketPath(hub)).SendAsync(new ControlRequest("status"));
        Assert.True(response.Ok, $"status of {hub} failed: {response.Error}");
        return response.Result!.Value.Deserialize<HubStatus>(ControlJson.Options)!;
    }

    /// <summary>Waits until <paramref name="reached"/> holds for a hub's status (a hub being restarted counts as not yet).</summary>
    public static async Task<HubStatus> WaitAtAsync(this LabHandle lab, string hub, string what, Func<HubStatus, bool> reached, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? PairTimeout);
        HubStatus? last = null;
        while (true)
        {
            try
            {
                last = await lab.StatusAtAsync(hub);
                if (reached(last))
                    return last;
            }
            catch (ControlUnavailableException)
            {
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {hub}: {what}; last status: {FailoverSteps.DescribeStatus(last)} | pair: {last?.Pair}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until exactly one hub holds every VIP and it is <paramref name="hub"/> (or any hub when null); returns it.</summary>
    public static async Task<string> WaitForVipHolderAsync(this LabHandle lab, string? hub = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? PairTimeout);
        while (true)
        {
            if (await lab.VipHolderAsync() is { } holder && (hub is null || holder == hub))
                return holder;
            if (DateTime.UtcNow > deadline)
            {
                var held = await lab.VipsByHubAsync();
                Assert.Fail($"timed out waiting for {hub ?? "one hub"} to hold the VIPs: {string.Join("; ", held.Select(h => $"{h.Key}: {string.Join(" ", h.Value)}"))}");
            }
            await Task.Delay(50);
        }
    }

    public static string ServingAt(HubStatus status, string service) =>
        status.Services.Single(s => s.Name == service).ServingSite ?? "none";

    /// <summary>
    /// Both hubs up and linked, no partition, alpha healthy everywhere, one hub holding the VIPs, both
    /// hubs serving every service from alpha, and the client answered by alpha on both VIPs.
    /// </summary>
    public static async Task RestorePairSteadyStateAsync(this LabHandle lab)
    {
        await lab.HealHubPartitionAsync();
        foreach (var hub in Hubs)
        {
            await lab.RestoreLinkAsync(hub);
            if (lab.DaemonPid(hub) is null)
                await lab.StartDaemonAsync(hub);
        }
        foreach (var site in lab.Topology.Sites)
        {
            await lab.RestoreLinkAsync(site.Name);
            if (lab.DaemonPid(site.Name) is null)
                await lab.StartDaemonAsync(site.Name);
        }
        await lab.StopSiteWebServerAsync("alpha");
        await lab.StartSiteWebServerAsync("alpha");

        await lab.WaitForVipHolderAsync();
        foreach (var hub in Hubs)
        {
            await lab.WaitAtAsync(hub, "every site healthy", s => s.Sites.All(site => site.Health == "healthy"), TimeSpan.FromSeconds(60));
            await lab.WaitAtAsync(hub, "every service on alpha", s => s.Services.All(service => service.ServingSite == "alpha"), TimeSpan.FromSeconds(60));
        }
        await lab.WaitForClientAnsweredByAsync("alpha");
    }

    /// <summary>The site names in the order the client saw them, with repeats folded: "alpha", or "alpha bravo".</summary>
    public static IReadOnlyList<string> SitesInOrder(RequestLoopResult result)
    {
        var order = new List<string>();
        foreach (var answer in result.Answers)
        {
            var site = answer.Split(' ').First(part => part.StartsWith("site=", StringComparison.Ordinal))["site=".Length..];
            if (order.Count == 0 || order[^1] != site)
                order.Add(site);
        }
        return order;
    }
}
