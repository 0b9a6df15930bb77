using System.Net;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// In a pair, each hub's endpoint and pair address are its own addresses: sites dial both hubs at once and the
/// hubs talk to each other directly, so neither may be a VIP, which moves between them.
/// </summary>
internal static class PairAddressRules
{
    /// <summary>Why an address cannot be a hub's pair address, or null when it can.</summary>
    public static string? Unusable(IPAddress address) =>
        IPAddress.IsLoopback(address) ? "a loopback address"
        : address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "the unspecified address"
        : address.IsIPv6Multicast || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224)
            ? "a multicast or reserved address"
        : null;

    public static void CheckAgainstVips(IReadOnlyList<HubDraft> hubs, IReadOnlyList<ServiceDraft> services, ConfigErrorSink errors)
    {
        foreach (var service in services)
        {
            foreach (var vip in service.Vips)
            {
                if (hubs.FirstOrDefault(h => h.Endpoint is { } e && AddressSyntax.TryParseAddress(e.Host, out var a) && a.Equals(vip.Value)) is { } dialed)
                {
                    errors.Report(vip.Node, $"VIP {vip.Value} of {service.DisplayName} is the endpoint of {dialed.DisplayName}",
                        "in a hub pair sites dial each hub's own address; a VIP moves between the hubs and cannot be an endpoint");
                }
                else if (hubs.FirstOrDefault(h => vip.Value.Equals(h.PairAddress)) is { } paired)
                {
                    errors.Report(vip.Node, $"VIP {vip.Value} of {service.DisplayName} is the pair_address of {paired.DisplayName}",
                        "the pair address is the hub's own address for VRRP and the hub sync; VIPs move between the hubs");
                }
            }
        }
    }
}
