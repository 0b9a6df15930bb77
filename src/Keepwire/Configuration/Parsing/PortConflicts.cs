using System.Net;
using Keepwire.Model;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// One VIP + protocol + port can be forwarded to only one place, so no two port rules may overlap on a VIP,
/// within a service or across services sharing the VIP. A hub's own WireGuard port on a VIP is taken too.
/// </summary>
internal static class PortConflicts
{
    private sealed record Claim(int First, int Last, string Owner, int Line);

    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<HubDraft> hubs, ConfigErrorSink errors)
    {
        var claims = new Dictionary<(IPAddress Vip, TransportProtocol Protocol), List<Claim>>();
        foreach (var hub in hubs)
            ClaimWireGuardPort(hub, claims);

        foreach (var service in services)
        {
            foreach (var port in service.Ports)
            {
                var rule = port.Value;
                foreach (var vip in service.Vips)
                {
                    if (!claims.TryGetValue((vip.Value, rule.Protocol), out var list))
                        claims[(vip.Value, rule.Protocol)] = list = [];
                    if (list.FirstOrDefault(c => c.First <= rule.Last && rule.First <= c.Last) is { } taken)
                    {
                        var where = taken.Line > 0 ? $" (line {taken.Line})" : "";
                        errors.Report(port.Node, $"{rule} on VIP {vip.Value} overlaps ports {Describe(rule.Protocol, taken)} already claimed by {taken.Owner}{where}",
                            "each VIP, protocol and port can be forwarded to only one service: pick other ports or another VIP");
                        continue;
                    }

                    list.Add(new Claim(rule.First, rule.Last, service.DisplayName, (int)port.Node.Start.Line));
                }
            }
        }
    }

    /// <summary>When sites dial the hub on a VIP, forwarding the endpoint's UDP port would capture the tunnel itself.</summary>
    private static void ClaimWireGuardPort(HubDraft hub, Dictionary<(IPAddress, TransportProtocol), List<Claim>> claims)
    {
        if (hub.Endpoint is not { } endpoint)
            return;
        if (!AddressSyntax.TryParseAddress(endpoint.Host, out var address))
            return;
        if (!claims.TryGetValue((address, TransportProtocol.Udp), out var list))
            claims[(address, TransportProtocol.Udp)] = list = [];
        list.Add(new Claim(endpoint.Port, endpoint.Port, $"the WireGuard endpoint of hub '{hub.Name?.Value}'", 0));
    }

    private static string Describe(TransportProtocol protocol, Claim claim)
    {
        var proto = protocol == TransportProtocol.Tcp ? "tcp" : "udp";
        return claim.First == claim.Last ? $"{proto}/{claim.First}" : $"{proto}/{claim.First}-{claim.Last}";
    }
}
