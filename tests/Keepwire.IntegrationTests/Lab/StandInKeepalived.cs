using System.Globalization;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// A plain keepalived in a hub namespace of a pair lab, started detached as the hub daemon will
/// start its own: a stand-in for Keepwire's keepalived adapter, to show the lab's network carries
/// VRRP (unicast adverts between the pair addresses, ARP/ND for the VIPs on the shared segment).
/// Unicast VRRPv3, both BACKUP with nopreempt, IPv6 VIP excluded from the advert: the shape of the plan.
/// </summary>
public static class StandInKeepalived
{
    public static async Task StartAsync(LabHandle lab, string hubName)
    {
        var topology = lab.Topology;
        var hub = topology.HubNamed(hubName);
        var peer = topology.Hubs.Single(h => h.Name != hubName);
        var file = FileOf(lab, hubName);
        var config = $$"""
            global_defs {
                router_id {{lab.Prefix}}-{{hub.Name}}
                vrrp_version 3
            }
            vrrp_instance lab {
                state BACKUP
                nopreempt
                interface {{hub.PublicInterface}}
                virtual_router_id 51
                priority {{hub.VrrpPriority}}
                advert_int 0.1
                unicast_src_ip {{hub.Public.IPv4}}
                unicast_peer {
                    {{peer.Public.IPv4}}
                }
                virtual_ipaddress {
                    {{topology.Vips.IPv4}}/32 dev {{hub.PublicInterface}}
                }
                virtual_ipaddress_excluded {
                    {{topology.Vips.IPv6}}/128 dev {{hub.PublicInterface}}
                }
            }

            """;
        await File.WriteAllTextAsync(file("conf"), config);
        // Without -n keepalived forks and detaches: nothing tracks it but its namespace.
        var started = await lab.ExecAsync(hubName, "keepalived", "-P", "-G", "-f", file("conf"), "-p", file("pid"), "-r", file("vrrp.pid"), "-c", file("checkers.pid"));
        Assert.True(started.Succeeded, $"keepalived did not start in {hubName}: {started.StandardError}");
    }

    /// <summary>The keepalived processes (parent and VRRP child) in a hub's namespace.</summary>
    public static async Task<IReadOnlyList<int>> PidsAsync(LabHandle lab, string hubName)
    {
        var pids = await lab.ExecAsync("net", "ip", "netns", "pids", lab.Topology.NamespaceOf(hubName));
        return pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
            .Where(pid => ReadComm(pid) == "keepalived")
            .ToList();
    }

    private static Func<string, string> FileOf(LabHandle lab, string hubName) =>
        suffix => Path.Combine(lab.StateDirectory, $"keepalived-{hubName}.{suffix}");

    private static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
