using System.Net.Sockets;

namespace Keepwire.Adapters.Routing;

/// <summary>
/// Kernel parameters under /proc/sys. Keys use the slash form (<c>net/ipv4/conf/eth0.100/rp_filter</c>)
/// because interface names may contain dots; <see cref="SysctlKeys"/> builds them.
/// </summary>
public interface ISysctl
{
    /// <summary>The value, trimmed; null if the key does not exist (for example the interface is gone).</summary>
    Task<string?> ReadAsync(string key, CancellationToken cancellationToken = default);

    Task WriteAsync(string key, string value, CancellationToken cancellationToken = default);
}

public static class SysctlExtensions
{
    /// <summary>Writes <paramref name="value"/> unless the key already has it; returns whether anything changed.</summary>
    public static async Task<bool> EnsureAsync(this ISysctl sysctl, string key, string value, CancellationToken cancellationToken = default)
    {
        if (await sysctl.ReadAsync(key, cancellationToken) == value)
            return false;
        await sysctl.WriteAsync(key, value, cancellationToken);
        return true;
    }
}

/// <summary>The keys Keepwire touches, in slash form.</summary>
public static class SysctlKeys
{
    public const string IPv4Forwarding = "net/ipv4/ip_forward";
    public const string IPv6Forwarding = "net/ipv6/conf/all/forwarding";

    /// <summary>Reverse-path filter of one interface: 0 off, 1 strict, 2 loose. The kernel applies max(all, interface).</summary>
    public static string ReversePathFilter(string device) => $"net/ipv4/conf/{device}/rp_filter";

    /// <summary>Whether an interface accepts router advertisements: 2 means "even with forwarding on".</summary>
    public static string AcceptRouterAdvertisements(string device) => $"net/ipv6/conf/{device}/accept_ra";

    /// <summary>How many bytes of packets may wait for one neighbour of an interface while ARP/ND resolves it.</summary>
    public static string UnresolvedQueueBytes(string device, AddressFamily family) =>
        $"net/{(family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4")}/neigh/{device}/unres_qlen_bytes";
}
