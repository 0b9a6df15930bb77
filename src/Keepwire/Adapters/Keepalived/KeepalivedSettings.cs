using System.Net;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Everything the keepalived configuration of one hub depends on. A plain record, so the adapter does
/// not depend on the configuration model: the hub daemon maps its validated config onto it.
/// There are no notify scripts on purpose: Keepwire learns its role by looking at the interface
/// (<see cref="VipOwnership"/>), which cannot arrive out of order the way notify scripts can.
/// </summary>
/// <param name="InstanceName">Name of the vrrp_instance, also used in keepalived's router_id and log lines.</param>
/// <param name="Interface">The public interface: VRRP adverts leave through it and keepalived puts the VIPs on it.</param>
/// <param name="VirtualRouterId">1..255; both hubs of a pair use the same one.</param>
/// <param name="Priority">1..254; the two hubs must differ.</param>
/// <param name="AdvertInterval">VRRPv3 advert interval: 10 ms..40 s, a multiple of 10 ms (VRRPv3 counts centiseconds).</param>
/// <param name="UnicastSource">This hub's pair address: adverts are sent from it.</param>
/// <param name="UnicastPeer">The other hub's pair address, same family as <paramref name="UnicastSource"/>.</param>
/// <param name="Ipv4Vips">The public IPv4 VIPs, put on <paramref name="Interface"/> as /32.</param>
/// <param name="Ipv6Vips">The public IPv6 VIPs, put on <paramref name="Interface"/> as /128.</param>
/// <param name="TrackFile">The file the daemon writes 0 (healthy) or non-zero (give the VIPs up) to; see <see cref="KeepalivedTrackFile"/>.</param>
/// <param name="DaemonPidFile">The Keepwire daemon's pid file: while the process it names is gone, keepalived counts failures.</param>
/// <param name="DaemonAliveGrace">
/// How long the daemon may be gone before the VIPs leave: long enough for a restart by systemd
/// (RestartSec=1 plus start-up) not to move them, short enough that a dead daemon gives them up quickly.
/// </param>
public sealed record KeepalivedSettings(
    string InstanceName,
    string Interface,
    int VirtualRouterId,
    int Priority,
    TimeSpan AdvertInterval,
    IPAddress UnicastSource,
    IPAddress UnicastPeer,
    IReadOnlyList<IPAddress> Ipv4Vips,
    IReadOnlyList<IPAddress> Ipv6Vips,
    string TrackFile,
    string DaemonPidFile,
    TimeSpan DaemonAliveGrace)
{
    /// <summary>
    /// Whether neighbours find the VIPs by keepalived's gratuitous ARP / unsolicited NA (a shared layer-2 segment).
    /// False where the provider routes the VIPs to a hub's own address (<c>vip_mover: provider</c>): keepalived still
    /// elects and puts the VIPs on the holder, which then accepts their traffic, but announces nothing beyond the burst
    /// it always sends on becoming MASTER, and re-announces nothing.
    /// </summary>
    public bool AnnounceVips { get; init; } = true;

    /// <summary>Three checks one second apart: see <see cref="KeepalivedConfigRenderer.DaemonCheckFall"/>.</summary>
    public static readonly TimeSpan DefaultDaemonAliveGrace = TimeSpan.FromSeconds(3);
}
