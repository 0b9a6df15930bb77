using System.Net;
using Keepwire.Model;

namespace Keepwire.Adapters.WireGuard;

/// <summary>What a WireGuard interface should be configured with.</summary>
/// <param name="PrivateKeyFile">Path of the private key; handed to <c>wg</c> as a file, never read by Keepwire.</param>
/// <param name="PublicKey">
/// The public key that belongs to that private key. The private key cannot be read back safely, so the
/// device's public key is what tells whether the right key is loaded.
/// </param>
/// <param name="ListenPort">Null: any port (a site only dials out).</param>
/// <param name="Peers">Every peer the interface should have; any other peer is removed.</param>
public sealed record WireGuardDeviceSpec(
    string PrivateKeyFile,
    WireGuardKey PublicKey,
    int? ListenPort,
    IReadOnlyList<WireGuardPeerSpec> Peers);

/// <param name="Endpoint">
/// Null: leave the endpoint alone (the hub learns each site's endpoint from its packets and must never
/// overwrite what it learned).
/// </param>
/// <param name="RefreshEndpoint">
/// Set the endpoint even if it already has this value. Setting it drops the sticky source address
/// WireGuard remembers, which is how a site recovers after its own address changed or the path broke.
/// </param>
/// <param name="PersistentKeepalive">Seconds; 0 means off.</param>
public sealed record WireGuardPeerSpec(
    WireGuardKey PublicKey,
    IReadOnlyList<IPNetwork> AllowedIps,
    IPEndPoint? Endpoint = null,
    bool RefreshEndpoint = false,
    int PersistentKeepalive = 0);
