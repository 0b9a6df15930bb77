using System.Net;
using System.Net.Sockets;

namespace Keepwire.Adapters.Routing;

/// <summary>
/// Links, addresses, routes and policy rules (iproute2). Reads return what the kernel has; the
/// add/delete calls change one thing each. Idempotent "make it so" logic lives in
/// <see cref="RoutingEnsureExtensions"/>, on top of these.
/// </summary>
public interface IRouting
{
    Task<bool> LinkExistsAsync(string device, CancellationToken cancellationToken = default);

    /// <summary>Brings the link up if it is not; returns whether anything changed.</summary>
    Task<bool> EnsureLinkUpAsync(string device, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<InterfaceAddress>> GetAddressesAsync(string device, CancellationToken cancellationToken = default);

    /// <summary>Adds an address (IPv6 with <c>nodad</c>, so it is usable at once; a metric if the address carries one).</summary>
    Task AddAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default);

    Task DeleteAddressAsync(string device, InterfaceAddress address, CancellationToken cancellationToken = default);

    /// <summary>The routes of one family in routing table <paramref name="table"/>; empty if the table does not exist.</summary>
    Task<IReadOnlyList<RouteEntry>> GetRoutesAsync(int table, AddressFamily family, CancellationToken cancellationToken = default);

    Task AddRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default);

    Task DeleteRouteAsync(int table, RouteEntry route, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PolicyRule>> GetRulesAsync(AddressFamily family, CancellationToken cancellationToken = default);

    Task AddRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default);

    Task DeleteRuleAsync(PolicyRule rule, CancellationToken cancellationToken = default);

    /// <summary>
    /// The prefixes Keepwire made this host's own: <c>local</c> routes on <c>lo</c> in table <c>local</c> with protocol
    /// <see cref="RoutingProtocols.Keepwire"/>, so every address in them is delivered here (a whole IPv6 prefix too).
    /// </summary>
    Task<IReadOnlyList<IPNetwork>> GetLocalPrefixesAsync(AddressFamily family, CancellationToken cancellationToken = default);

    Task AddLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default);

    Task DeleteLocalPrefixAsync(IPNetwork prefix, CancellationToken cancellationToken = default);

    /// <summary>Whether the host has a route to <paramref name="destination"/> at all (<c>ip route get</c>).</summary>
    Task<bool> HasRouteToAsync(IPAddress destination, CancellationToken cancellationToken = default);
}
