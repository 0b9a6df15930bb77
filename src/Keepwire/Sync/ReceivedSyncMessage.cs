namespace Keepwire.Sync;

/// <summary>An admitted peer message and how it came.</summary>
/// <param name="ReceivedAt">This hub's clock when it arrived (the loop may read it later).</param>
/// <param name="Direct">
/// It came from the peer's pair address, not through a site: the path VRRP adverts take works, so
/// keepalived itself can settle who holds the VIPs (<see cref="PeerHubView"/> stops yielding then).
/// </param>
public sealed record ReceivedSyncMessage(HubSyncMessage Message, DateTimeOffset ReceivedAt, bool Direct);
