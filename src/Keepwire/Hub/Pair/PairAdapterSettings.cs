using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Conntrackd;
using Keepwire.Adapters.Keepalived;
using Keepwire.Model;

namespace Keepwire.Hub.Pair;

/// <summary>Maps the validated cluster config of a hub pair onto what keepalived and conntrackd need on one hub.</summary>
public static class PairAdapterSettings
{
    /// <summary>Both hubs use the same instance name, so their logs read alike.</summary>
    public const string InstanceName = "keepwire";

    public static KeepalivedSettings Keepalived(ClusterConfig config, HubNode hub, HubNode peer, HubPairSettings pair, HubRunPaths paths)
    {
        var vips = config.AllVips();
        return new KeepalivedSettings(
            InstanceName,
            hub.PublicInterface ?? throw new InvalidOperationException($"hub {hub.Name} of a pair has no public_interface (the config loader requires one)"),
            pair.VirtualRouterId,
            hub.VrrpPriority,
            pair.AdvertInterval,
            PairAddress(hub),
            PairAddress(peer),
            [.. vips.Where(v => v.AddressFamily == AddressFamily.InterNetwork)],
            [.. vips.Where(v => v.AddressFamily == AddressFamily.InterNetworkV6)],
            paths.Keepalived.TrackFile,
            paths.DaemonPidFile,
            KeepalivedSettings.DefaultDaemonAliveGrace)
        {
            AnnounceVips = pair.VipMover == VipMover.Arp,
        };
    }

    public static ConntrackdSettings Conntrackd(ClusterConfig config, HubNode hub, HubNode peer)
    {
        IEnumerable<IPAddress> own = [PairAddress(hub), .. hub.Tunnel.All, .. config.AllVips()];
        if (IPAddress.TryParse(hub.Endpoint.Host, out var endpoint))
            own = own.Append(endpoint);
        return new ConntrackdSettings(hub.PublicInterface!, PairAddress(hub), PairAddress(peer), ConntrackdSettings.DefaultPort, [.. own.Distinct()]);
    }

    private static IPAddress PairAddress(HubNode hub) =>
        hub.PairAddress ?? throw new InvalidOperationException($"hub {hub.Name} of a pair has no pair_address (the config loader requires one)");
}
