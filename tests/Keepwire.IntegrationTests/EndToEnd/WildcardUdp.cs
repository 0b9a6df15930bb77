using Keepwire.Control;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// A UDP service whose servers listen on all addresses (0.0.0.0 and ::), as most do: the service <c>wild</c>
/// (udp/<see cref="Port"/>, alpha and bravo) added to a running lab's config on every node, and the echo that
/// serves it at a site.
/// </summary>
public static class WildcardUdp
{
    public const string Service = "wild";

    /// <summary>The discard port, which nothing else in the lab uses.</summary>
    public const int Port = 9;

    private const string ServicesLine = "services:\n";

    private static string ServiceYaml(LabTopology topology) => $$"""
          - name: {{Service}}
            vips: [{{topology.Vips.IPv4}}, "{{topology.Vips.IPv6}}"]
            ports: [udp/{{Port}}]
            sites: [alpha, bravo]
            checks:
              - { type: udp, port: {{Port}}, payload: ping, expect: "site=" }

        """;

    /// <summary>Writes <paramref name="labConfig"/> with the service added and reloads every daemon: the sites learn which UDP ports they serve from it too.</summary>
    public static Task AddServiceAsync(LabHandle lab, string labConfig)
    {
        var at = labConfig.IndexOf(ServicesLine, StringComparison.Ordinal);
        Assert.True(at >= 0, "the lab's config has no services section");
        return ReloadEveryNodeAsync(lab, labConfig.Insert(at + ServicesLine.Length, ServiceYaml(lab.Topology)));
    }

    /// <summary>Puts <paramref name="labConfig"/> back on every daemon.</summary>
    public static Task RemoveServiceAsync(LabHandle lab, string labConfig) => ReloadEveryNodeAsync(lab, labConfig);

    private static async Task ReloadEveryNodeAsync(LabHandle lab, string config)
    {
        await File.WriteAllTextAsync(lab.ConfigPath, config);
        foreach (var node in lab.Topology.Nodes)
        {
            var response = await new ControlClient(lab.DaemonSocketPath(node)).SendAsync(new ControlRequest("reload"));
            Assert.True(response.Ok, $"reload of {node} failed: {response.Error}");
        }
    }

    public static Task StartEchoAsync(LabHandle lab, string site) => lab.StartSiteWildcardEchoAsync(site, Port);

    public static Task StopEchoAsync(LabHandle lab, string site) => lab.StopSiteWildcardEchoAsync(site, Port);
}
