using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Nftables;
using Keepwire.Model;
using static Keepwire.Reconciliation.NftForwardingTable;

namespace Keepwire.Reconciliation;

/// <summary>The elements of every set and map of the forwarding table, derived from a <see cref="HubDataPlane"/>.</summary>
public static class NftRulesetElements
{
    /// <exception cref="ArgumentException">
    /// Two rules claim the same VIP, protocol and port, or a rule's VIP and backend differ in family:
    /// nft would reject the table, so say which services collide instead.
    /// </exception>
    public static IReadOnlyDictionary<string, IReadOnlySet<NftElement>> From(HubDataPlane plane)
    {
        var sets = SetNames.ToDictionary(name => name, _ => new HashSet<NftElement>(), StringComparer.Ordinal);

        RejectOverlaps(plane.Rules);
        foreach (var rule in plane.Rules)
        {
            if (rule.Vip.AddressFamily != rule.Backend.AddressFamily)
                throw new ArgumentException($"service {rule.Service}: VIP {rule.Vip} and backend {rule.Backend} are of different address families", nameof(plane));
            var v6 = IsV6(rule.Vip);
            var protocol = rule.Protocol == TransportProtocol.Tcp ? "tcp" : "udp";
            if (rule.IsRange)
            {
                sets[v6 ? Forward6Ranges : Forward4Ranges].Add(new NftElement(
                    string.Create(CultureInfo.InvariantCulture, $"{NftText.Address(rule.Vip)} . {protocol} . {rule.FirstPort}-{rule.LastPort}"),
                    NftText.Address(rule.Backend)));
            }
            else
            {
                sets[v6 ? Forward6 : Forward4].Add(new NftElement(
                    string.Create(CultureInfo.InvariantCulture, $"{NftText.Address(rule.Vip)} . {protocol} . {rule.FirstPort}"),
                    string.Create(CultureInfo.InvariantCulture, $"{NftText.Address(rule.Backend)} . {rule.BackendPort}")));
            }
        }

        foreach (var backend in plane.SnatBackends)
            sets[IsV6(backend) ? Snat6 : Snat4].Add(new NftElement(NftText.Address(backend)));

        foreach (var network in OutermostNetworks(plane.AllowForwardFrom))
            sets[IsV6(network.BaseAddress) ? AllowForward6 : AllowForward4].Add(new NftElement(NftText.Prefix(network)));

        return sets.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<NftElement>)kv.Value, StringComparer.Ordinal);
    }

    private static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    private static void RejectOverlaps(IReadOnlyList<ForwardingRule> rules)
    {
        foreach (var group in rules.GroupBy(r => (r.Vip, r.Protocol)))
        {
            var ordered = group.OrderBy(r => r.FirstPort).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var (previous, current) = (ordered[i - 1], ordered[i]);
                if (current.FirstPort <= previous.LastPort)
                {
                    throw new ArgumentException(
                        $"services {previous.Service} and {current.Service} both forward {current.Vip} {current.Protocol.ToString().ToLowerInvariant()} port {current.FirstPort}");
                }
            }
        }
    }

    /// <summary>
    /// Drops networks inside another listed network: an interval set rejects overlapping elements,
    /// and the outer network already admits everything the inner one does.
    /// </summary>
    private static IEnumerable<IPNetwork> OutermostNetworks(IReadOnlyList<IPNetwork> networks) =>
        networks.Distinct().Where(inner => !networks.Any(outer =>
            outer != inner && outer.PrefixLength < inner.PrefixLength && outer.Contains(inner.BaseAddress)));
}
