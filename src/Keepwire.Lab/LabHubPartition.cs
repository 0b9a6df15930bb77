namespace Keepwire.Lab;

/// <summary>
/// Cuts the two hubs of a pair off from each other and from nobody else: an nftables table of the
/// <c>bridge</c> family in the internet namespace drops every frame forwarded between the two hubs'
/// bridge ports, in both directions. Filtering at the bridge needs no <c>br_netfilter</c> (which
/// would push all bridged traffic through the IP hooks of the whole machine), and dropping by port
/// rather than by address also stops ARP/ND and anything sent from a VIP: the hubs cannot see each
/// other at all, while clients and sites still reach both.
/// </summary>
internal static class LabHubPartition
{
    public const string TableName = "keepwire_lab_partition";

    public static string Ruleset(LabTopology topology)
    {
        if (!topology.IsHubPair)
            throw new LabException($"Lab {topology.Prefix} has one hub: there is no hub pair to partition (build it with --hub-pair).");
        var (first, second) = (topology.Hubs[0].Name, topology.Hubs[1].Name);
        // The bridge ports are named after the hosts (see LabNetworkBuilder). "add" then "flush": the
        // table exists afterwards whether it did before or not, and holds exactly these rules.
        return $$"""
            add table bridge {{TableName}}
            flush table bridge {{TableName}}
            table bridge {{TableName}} {
                chain forward {
                    type filter hook forward priority filter; policy accept;
                    iifname "{{first}}" oifname "{{second}}" drop
                    iifname "{{second}}" oifname "{{first}}" drop
                }
            }

            """;
    }
}
