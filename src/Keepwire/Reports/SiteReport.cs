namespace Keepwire.Reports;

/// <summary>
/// What a site agent tells a hub about itself, as one UDP datagram sent through the tunnel to the hub's
/// tunnel address, signed with the key the site and that hub share (<see cref="SiteReportKey"/>). The hub
/// believes it only when it arrives through its WireGuard interface from the site's tunnel address (so
/// WireGuard vouches for the sender) and carries the site's tag (so nobody else on the site machine, nor a
/// spoofed packet, can speak for the site). Boot id, sequence and sent-at let the hub drop replays.
/// </summary>
/// <param name="Site">The sending site's name; must match the site the source address and the key belong to.</param>
/// <param name="BootId">New for every agent start (and reload), so the sequence may begin again at 1.</param>
/// <param name="Sequence">Grows by one per report within a boot.</param>
/// <param name="SentAt">The site's clock; the hub admits reports within <see cref="SiteReportGuard.Freshness"/> of its own.</param>
public sealed record SiteReport(string Site, bool Healthy, string Reason, Guid BootId, long Sequence, DateTimeOffset SentAt)
{
    /// <summary>The UDP port the hub listens on, on its tunnel addresses only.</summary>
    public const int Port = 51821;

    /// <summary>Datagrams larger than this are dropped unread; an agent shortens its reason to fit.</summary>
    public const int MaxBytes = 2048;
}
