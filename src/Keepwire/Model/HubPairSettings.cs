namespace Keepwire.Model;

/// <summary>
/// How the two hubs of a pair cooperate: the VRRP instance that moves the VIPs between them (keepalived) and
/// the hub-to-hub sync of decisions. Present exactly when the cluster has two hubs.
/// </summary>
/// <param name="VirtualRouterId">VRRP's virtual router id (1–255); distinct from other VRRP routers on the same link.</param>
/// <param name="AdvertInterval">VRRPv3 advert interval, a multiple of 10 ms (VRRPv3 counts centiseconds).</param>
/// <param name="SyncPort">UDP port of the hub-to-hub sync, direct and relayed through the sites.</param>
/// <param name="PeerTimeout">The peer hub counts as gone after this long without a sync message.</param>
/// <param name="Conntrackd">Whether conntrackd syncs connection tracking state between the hubs.</param>
public sealed record HubPairSettings(int VirtualRouterId, TimeSpan AdvertInterval, int SyncPort, TimeSpan PeerTimeout, bool Conntrackd)
{
    /// <summary>How the VIPs reach the holder: keepalived's gratuitous ARP (the default), or the provider's routing, moved by <see cref="ProviderHook"/>.</summary>
    public VipMover VipMover { get; init; } = VipMover.Arp;

    /// <summary>The hook that asks the provider to route the VIPs here; set exactly when <see cref="VipMover"/> is <see cref="VipMover.Provider"/>.</summary>
    public ProviderHookSettings? ProviderHook { get; init; }

    public const int DefaultVirtualRouterId = 51;
    public const int DefaultSyncPort = 51822;

    /// <summary>The first hub listed wins VRRP elections by default, so the pair's normal state is predictable.</summary>
    public const int DefaultFirstHubPriority = 150;

    public const int DefaultSecondHubPriority = 100;

    public static readonly TimeSpan DefaultAdvertInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan DefaultPeerTimeout = TimeSpan.FromSeconds(1);

    public static HubPairSettings Default { get; } =
        new(DefaultVirtualRouterId, DefaultAdvertInterval, DefaultSyncPort, DefaultPeerTimeout, Conntrackd: false);
}
