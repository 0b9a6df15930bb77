using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Routing;

namespace Keepwire.Onboarding.Init;

/// <summary>What <c>keepwire init</c> can guess about the hub's network: the interface of the default route and its addresses.</summary>
/// <param name="Interface">The interface of the IPv4 default route (else the IPv6 one); null without a default route.</param>
public sealed record HostNetwork(string? Interface, IPAddress? IPv4, IPAddress? IPv6)
{
    private const int MainTable = 254;

    /// <summary>Reads the routing table and addresses (no traffic is sent).</summary>
    public static async Task<HostNetwork> DetectAsync(IRouting routing, CancellationToken cancellationToken)
    {
        var device = await DefaultDeviceAsync(routing, AddressFamily.InterNetwork, cancellationToken)
            ?? await DefaultDeviceAsync(routing, AddressFamily.InterNetworkV6, cancellationToken);
        if (device is null)
            return new HostNetwork(null, null, null);
        var addresses = (await routing.GetAddressesAsync(device, cancellationToken)).Where(a => !a.IsLinkLocal).ToList();
        return new HostNetwork(
            device,
            addresses.FirstOrDefault(a => a.Family == AddressFamily.InterNetwork)?.Address,
            addresses.FirstOrDefault(a => a.Family == AddressFamily.InterNetworkV6)?.Address);
    }

    private static async Task<string?> DefaultDeviceAsync(IRouting routing, AddressFamily family, CancellationToken cancellationToken) =>
        (await routing.GetRoutesAsync(MainTable, family, cancellationToken)).FirstOrDefault(r => r.Destination.PrefixLength == 0)?.Device;
}
