using System.Net.Sockets;

namespace Keepwire.Adapters.Routing;

/// <summary>What an ensure step changed: empty when the kernel already matched.</summary>
public sealed record RoutingChange<T>(IReadOnlyList<T> Added, IReadOnlyList<T> Removed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0;

    public override string ToString() =>
        $"added [{string.Join(", ", Added)}], removed [{string.Join(", ", Removed)}]";
}

/// <summary>
/// Level-triggered "make it so" on top of <see cref="IRouting"/>: read what is there, diff against the
/// desired set, remove what is ours and unwanted, add what is missing. Running one twice changes nothing.
/// </summary>
public static class RoutingEnsureExtensions
{
    /// <summary>
    /// Makes the addresses of <paramref name="device"/> that <paramref name="isOwned"/> claims equal
    /// <paramref name="desired"/>. Addresses not owned and link-local addresses are never removed.
    /// </summary>
    public static async Task<RoutingChange<InterfaceAddress>> EnsureAddressesAsync(
        this IRouting routing, string device, IReadOnlyCollection<InterfaceAddress> desired, Func<InterfaceAddress, bool> isOwned, CancellationToken cancellationToken = default)
    {
        var change = RoutingPlans.Addresses(await routing.GetAddressesAsync(device, cancellationToken), desired, isOwned);
        // Removals first: an address with the wrong prefix must go before the right one is added.
        foreach (var address in change.Removed)
            await routing.DeleteAddressAsync(device, address, cancellationToken);
        foreach (var address in change.Added)
            await routing.AddAddressAsync(device, address, cancellationToken);
        return change;
    }

    /// <summary>Makes routing table <paramref name="table"/> (both families) hold exactly <paramref name="desired"/>. The table must be Keepwire's alone.</summary>
    public static Task<RoutingChange<RouteEntry>> EnsureRoutesAsync(
        this IRouting routing, int table, IReadOnlyCollection<RouteEntry> desired, CancellationToken cancellationToken = default) =>
        routing.EnsureRoutesAsync(table, desired, isOwned: _ => true, cancellationToken);

    /// <summary>
    /// Makes the routes of <paramref name="table"/> (both families) that <paramref name="isOwned"/> claims equal
    /// <paramref name="desired"/>, for tables Keepwire shares with others (such as <c>main</c>).
    /// </summary>
    public static async Task<RoutingChange<RouteEntry>> EnsureRoutesAsync(
        this IRouting routing, int table, IReadOnlyCollection<RouteEntry> desired, Func<RouteEntry, bool> isOwned, CancellationToken cancellationToken = default)
    {
        List<RouteEntry> actual = [];
        foreach (var family in Families)
            actual.AddRange(await routing.GetRoutesAsync(table, family, cancellationToken));
        var change = RoutingPlans.Routes(actual, desired, isOwned);
        foreach (var route in change.Removed)
            await routing.DeleteRouteAsync(table, route, cancellationToken);
        foreach (var route in change.Added)
            await routing.AddRouteAsync(table, route, cancellationToken);
        return change;
    }

    /// <summary>Makes the rules that look up <paramref name="table"/> (both families) exactly <paramref name="desired"/>.</summary>
    public static async Task<RoutingChange<PolicyRule>> EnsureRulesAsync(
        this IRouting routing, int table, IReadOnlyCollection<PolicyRule> desired, CancellationToken cancellationToken = default)
    {
        List<PolicyRule> actual = [];
        foreach (var family in Families)
            actual.AddRange(await routing.GetRulesAsync(family, cancellationToken));
        var change = RoutingPlans.Rules(actual, desired, table);
        foreach (var rule in change.Removed)
            await routing.DeleteRuleAsync(rule, cancellationToken);
        foreach (var rule in change.Added)
            await routing.AddRuleAsync(rule, cancellationToken);
        return change;
    }

    /// <summary>Makes the prefixes this host holds through Keepwire's local routes exactly <paramref name="desired"/> (both families).</summary>
    public static async Task<RoutingChange<System.Net.IPNetwork>> EnsureLocalPrefixesAsync(
        this IRouting routing, IReadOnlyCollection<System.Net.IPNetwork> desired, CancellationToken cancellationToken = default)
    {
        List<System.Net.IPNetwork> actual = [];
        foreach (var family in Families)
            actual.AddRange(await routing.GetLocalPrefixesAsync(family, cancellationToken));
        var change = new RoutingChange<System.Net.IPNetwork>([.. desired.Where(p => !actual.Contains(p))], [.. actual.Where(p => !desired.Contains(p))]);
        foreach (var prefix in change.Removed)
            await routing.DeleteLocalPrefixAsync(prefix, cancellationToken);
        foreach (var prefix in change.Added)
            await routing.AddLocalPrefixAsync(prefix, cancellationToken);
        return change;
    }

    private static readonly AddressFamily[] Families = [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6];
}

/// <summary>The pure diffs behind <see cref="RoutingEnsureExtensions"/>.</summary>
internal static class RoutingPlans
{
    public static RoutingChange<InterfaceAddress> Addresses(IReadOnlyList<InterfaceAddress> actual, IReadOnlyCollection<InterfaceAddress> desired, Func<InterfaceAddress, bool> isOwned) =>
        new(
            [.. desired.Where(wanted => !actual.Any(wanted.SameAs))],
            [.. actual.Where(have => !have.IsLinkLocal && isOwned(have) && !desired.Any(have.SameAs))]);

    public static RoutingChange<RouteEntry> Routes(IReadOnlyList<RouteEntry> actual, IReadOnlyCollection<RouteEntry> desired) =>
        Routes(actual, desired, _ => true);

    public static RoutingChange<RouteEntry> Routes(IReadOnlyList<RouteEntry> actual, IReadOnlyCollection<RouteEntry> desired, Func<RouteEntry, bool> isOwned) =>
        new([.. desired.Where(wanted => !actual.Contains(wanted))], [.. actual.Where(have => isOwned(have) && !desired.Contains(have))]);

    public static RoutingChange<PolicyRule> Rules(IReadOnlyList<PolicyRule> actual, IReadOnlyCollection<PolicyRule> desired, int table)
    {
        var tableName = table.ToString();
        var ours = actual.Where(rule => rule.Table == tableName).ToList();
        return new(
            [.. desired.Where(wanted => !ours.Contains(wanted))],
            [.. ours.Where(have => !desired.Contains(have))]);
    }
}
