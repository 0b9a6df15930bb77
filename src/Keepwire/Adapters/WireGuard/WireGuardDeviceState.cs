using System.Net;
using Keepwire.Model;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// What a WireGuard interface is configured with right now, as <c>wg show NAME dump</c> reports it.
/// The private key is deliberately absent: the parser drops it on the spot.
/// </summary>
/// <param name="PublicKey">Null when no private key is set yet.</param>
public sealed record WireGuardDeviceState(WireGuardKey? PublicKey, int ListenPort, IReadOnlyList<WireGuardPeerState> Peers)
{
    public WireGuardPeerState? FindPeer(WireGuardKey publicKey) => Peers.FirstOrDefault(peer => peer.PublicKey == publicKey);
}

/// <param name="Endpoint">Where packets for the peer go; null until set or learned from the peer's packets.</param>
/// <param name="LatestHandshake">Null if no handshake ever completed.</param>
/// <param name="PersistentKeepalive">Seconds; 0 means off.</param>
public sealed record WireGuardPeerState(
    WireGuardKey PublicKey,
    IPEndPoint? Endpoint,
    IReadOnlyList<IPNetwork> AllowedIps,
    DateTimeOffset? LatestHandshake,
    long ReceivedBytes,
    long TransmittedBytes,
    int PersistentKeepalive);
