using System.Net;
using Keepwire.Adapters.Keepalived;

namespace Keepwire.Tests.Adapters.Keepalived;

internal static class KeepalivedSamples
{
    /// <summary>hub1 of a pair with IPv4 pair addresses, two IPv4 VIPs and one IPv6 VIP.</summary>
    public static KeepalivedSettings Hub1() => new(
        InstanceName: "keepwire",
        Interface: "eth0",
        VirtualRouterId: 51,
        Priority: 150,
        AdvertInterval: TimeSpan.FromMilliseconds(100),
        UnicastSource: IPAddress.Parse("198.51.100.2"),
        UnicastPeer: IPAddress.Parse("198.51.100.3"),
        Ipv4Vips: [IPAddress.Parse("203.0.113.10"), IPAddress.Parse("203.0.113.11")],
        Ipv6Vips: [IPAddress.Parse("2001:db8:5::10")],
        TrackFile: "/run/keepwire/keepalived/keepwire-health",
        DaemonPidFile: "/run/keepwire/hub.pid",
        DaemonAliveGrace: KeepalivedSettings.DefaultDaemonAliveGrace);
}
