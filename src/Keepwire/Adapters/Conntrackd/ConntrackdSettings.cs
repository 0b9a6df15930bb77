using System.Net;

namespace Keepwire.Adapters.Conntrackd;

/// <summary>
/// What the conntrackd configuration of one hub depends on: the FTFW channel to the other hub and the
/// hub's own addresses, whose flows are not worth syncing.
/// </summary>
/// <param name="Interface">The interface the sync channel leaves through (the public interface, where the pair addresses live).</param>
/// <param name="LocalAddress">This hub's pair address: conntrackd listens on it.</param>
/// <param name="PeerAddress">The other hub's pair address, same family.</param>
/// <param name="Port">UDP port of the sync channel, on both hubs.</param>
/// <param name="LocalAddresses">
/// Every address of this hub (pair address, WireGuard endpoint, tunnel addresses, VIPs). conntrackd ignores a
/// flow whose real source (original source) or real destination (reply source, i.e. after DNAT) is one of
/// them: what is left is forwarded traffic, the DNATed client flows to the sites.
/// </param>
public sealed record ConntrackdSettings(
    string Interface,
    IPAddress LocalAddress,
    IPAddress PeerAddress,
    int Port,
    IReadOnlyList<IPAddress> LocalAddresses)
{
    /// <summary>conntrackd's own default port.</summary>
    public const int DefaultPort = 3780;
}
