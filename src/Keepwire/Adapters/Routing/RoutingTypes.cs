using System.Net;
using System.Net.Sockets;

namespace Keepwire.Adapters.Routing;

/// <summary>
/// An address on an interface, with its prefix length (host bits kept, unlike <see cref="IPNetwork"/>).
/// </summary>
/// <param name="Metric">
/// The address metric (IFA_RT_PRIORITY): the priority of the prefix route the kernel derives from it.
/// Keepwire uses a fixed value to mark addresses it added; see <see cref="KeepwireAddressMetric"/>.
/// </param>
/// <param name="IsLinkLocal">Scope link (fe80::/10, 169.254/16): the kernel's, never ours to remove.</param>
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength, int? Metric = null, bool IsLinkLocal = false)
{
    /// <summary>
    /// Metric on addresses Keepwire adds to interfaces it does not own (the hub's public VIPs). For a /32
    /// or /128 it only ranks a host route nobody competes with, so it is harmless, and unlike a label
    /// (IPv4 only) or the address protocol (unknown to iproute2 6.1, which Debian 12 ships) it marks both families and survives a
    /// daemon restart: a restarted Keepwire recognises its own VIPs without a state file.
    /// </summary>
    public const int KeepwireAddressMetric = 51820;

    public AddressFamily Family => Address.AddressFamily;

    /// <summary>Same address and prefix length; the metric and scope do not make it a different address.</summary>
    public bool SameAs(InterfaceAddress other) => Address.Equals(other.Address) && PrefixLength == other.PrefixLength;

    public static InterfaceAddress Host(IPAddress address, int? metric = null) =>
        new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32, metric);

    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A route in one routing table: to <see cref="Destination"/> through <see cref="Device"/> (and <see cref="Gateway"/>, if any).</summary>
public sealed record RouteEntry(IPNetwork Destination, string? Device, IPAddress? Gateway = null)
{
    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    public static RouteEntry DefaultVia(string device, AddressFamily family) =>
        new(family == AddressFamily.InterNetworkV6 ? new IPNetwork(IPAddress.IPv6Any, 0) : new IPNetwork(IPAddress.Any, 0), device);

    public override string ToString() =>
        $"{Destination}{(Gateway is null ? "" : $" via {Gateway}")}{(Device is null ? "" : $" dev {Device}")}";
}

/// <summary>
/// A policy routing rule <c>from SOURCE [fwmark VALUE/MASK] lookup TABLE priority P</c>; a null source means "all".
/// </summary>
/// <param name="Table">The table as ip prints it: a number, or a name such as <c>main</c>.</param>
/// <param name="HasOtherSelectors">
/// The rule also matches on something else (iif, to, …): it is not one of the rules Keepwire writes.
/// </param>
public sealed record PolicyRule(int Priority, IPNetwork? Source, string Table, AddressFamily Family, bool HasOtherSelectors = false)
{
    /// <summary>The packet mark the rule matches, or null when it matches any mark.</summary>
    public FirewallMark? Mark { get; init; }

    public static PolicyRule FromAddress(IPAddress source, int table, int priority) =>
        new(priority, new IPNetwork(source, source.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32), table.ToString(), source.AddressFamily);

    public static PolicyRule FromMark(FirewallMark mark, int table, int priority, AddressFamily family) =>
        new(priority, null, table.ToString(), family) { Mark = mark };

    public override string ToString() =>
        $"priority {Priority} from {(Source?.ToString() ?? "all")}{(Mark is null ? "" : $" fwmark {Mark}")} lookup {Table}";
}

/// <summary>A packet mark (fwmark) under a mask: matches when <c>mark &amp; Mask == Value</c>.</summary>
public sealed record FirewallMark(uint Value, uint Mask)
{
    public const uint AllBits = uint.MaxValue;

    /// <summary>The form ip and nft both read: <c>0x1000000/0xf000000</c>.</summary>
    public override string ToString() => $"0x{Value:x}/0x{Mask:x}";
}

/// <summary>Routing tables with fixed numbers.</summary>
public static class RoutingTables
{
    public const int Main = 254;
}

/// <summary>Route protocol numbers (<c>proto</c>): who added a route.</summary>
public static class RoutingProtocols
{
    /// <summary>Keepwire's routes where it shares a table (a number no routing daemon in iproute2's rt_protos uses).</summary>
    public const int Keepwire = 51;
}
