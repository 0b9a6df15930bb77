using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Checks the settings before they become a keepalived.conf, and reports every problem at once. keepalived
/// itself would catch some of these only at start-up (a family mismatch, no VIP to advertise), in its log.
/// </summary>
public static partial class KeepalivedSettingsValidator
{
    public static IReadOnlyList<string> Validate(KeepalivedSettings settings)
    {
        List<string> errors = [];
        if (!Word().IsMatch(settings.InstanceName))
            errors.Add($"instance name '{settings.InstanceName}': use letters, digits, '_', '-' or '.' (at most 64)");
        if (!InterfaceName().IsMatch(settings.Interface))
            errors.Add($"interface '{settings.Interface}' is not a Linux interface name (1-15 characters, no '/', ':' or spaces)");
        if (settings.VirtualRouterId is < 1 or > 255)
            errors.Add($"virtual_router_id {settings.VirtualRouterId}: must be 1..255");
        if (settings.Priority is < 1 or > 254)
            errors.Add($"priority {settings.Priority}: must be 1..254 (255 would make keepalived claim to own the addresses)");
        ValidateAdvertInterval(settings.AdvertInterval, errors);
        ValidateFamilies(settings, errors);
        ValidatePath("track file", settings.TrackFile, errors);
        ValidatePath("daemon pid file", settings.DaemonPidFile, errors);
        if (settings.DaemonAliveGrace < TimeSpan.FromSeconds(1) || settings.DaemonAliveGrace > TimeSpan.FromMinutes(5))
            errors.Add($"daemon-alive grace {settings.DaemonAliveGrace.TotalSeconds} s: must be 1 s..5 min (keepalived checks the daemon once a second)");
        return errors;
    }

    /// <summary>Throws a <see cref="KeepalivedException"/> listing every problem, if there is any.</summary>
    public static void EnsureValid(KeepalivedSettings settings)
    {
        var errors = Validate(settings);
        if (errors.Count > 0)
            throw new KeepalivedException(KeepalivedFailure.InvalidSettings, "invalid keepalived settings: " + string.Join("; ", errors));
    }

    private static void ValidateAdvertInterval(TimeSpan interval, List<string> errors)
    {
        // VRRPv3 carries the interval in centiseconds (12 bits): 10 ms .. 40.95 s.
        if (interval < TimeSpan.FromMilliseconds(10) || interval > TimeSpan.FromSeconds(40) || interval.Ticks % TimeSpan.FromMilliseconds(10).Ticks != 0)
            errors.Add($"advert interval {interval.TotalMilliseconds} ms: must be 10 ms..40 s and a multiple of 10 ms");
    }

    private static void ValidateFamilies(KeepalivedSettings settings, List<string> errors)
    {
        var family = settings.UnicastSource.AddressFamily;
        if (settings.UnicastPeer.AddressFamily != family)
            errors.Add($"unicast source {settings.UnicastSource} and peer {settings.UnicastPeer} are of different families: VRRP talks one family");
        if (settings.UnicastPeer.Equals(settings.UnicastSource))
            errors.Add($"unicast peer {settings.UnicastPeer} is this hub's own address");
        foreach (var vip in settings.Ipv4Vips.Where(vip => vip.AddressFamily != AddressFamily.InterNetwork))
            errors.Add($"IPv4 VIP list holds {vip}, which is not IPv4");
        foreach (var vip in settings.Ipv6Vips.Where(vip => vip.AddressFamily != AddressFamily.InterNetworkV6))
            errors.Add($"IPv6 VIP list holds {vip}, which is not IPv6");
        // A VRRPv3 advert lists addresses of its own family only, and keepalived refuses an instance
        // with nothing to advertise ("No VIP specified; at least one is required").
        var advertised = family == AddressFamily.InterNetworkV6 ? settings.Ipv6Vips : settings.Ipv4Vips;
        if (advertised.Count == 0)
        {
            var name = family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
            errors.Add($"the pair addresses are {name}, so keepalived needs at least one {name} VIP to advertise (VRRPv3 adverts carry their own family only)");
        }
    }

    private static void ValidatePath(string what, string path, List<string> errors)
    {
        // keepalived splits a script line at spaces and substitutes $NAME, so keep paths to plain characters.
        if (!Path.IsPathFullyQualified(path) || !PlainPath().IsMatch(path))
            errors.Add($"{what} '{path}': must be an absolute path of letters, digits and '/', '_', '-', '.', '@', '+'");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex Word();

    [GeneratedRegex(@"^[^/:\s]{1,15}$")]
    private static partial Regex InterfaceName();

    [GeneratedRegex(@"^[A-Za-z0-9/_.@+-]+$")]
    private static partial Regex PlainPath();
}
