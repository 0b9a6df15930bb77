using System.Net;
using System.Net.Sockets;

namespace Keepwire.Adapters.Conntrack;

/// <summary>The conntrack operations failover needs.</summary>
public interface IConntrack
{
    /// <summary>
    /// Deletes the flows <paramref name="selector"/> names (TCP or UDP, both directions of each),
    /// so their next packet (a retransmitted SYN, the next datagram) is NATed afresh.
    /// Returns how many entries were deleted.
    /// </summary>
    Task<int> DeleteFlowsAsync(FlowSelector selector, CancellationToken cancellationToken = default);

    /// <summary>
    /// The TCP and UDP flows of one family whose replies come from <paramref name="replySource"/> (a site's
    /// tunnel address: the flows the hub DNATed to it, and its own flows to it), in one pass over the table.
    /// </summary>
    Task<IReadOnlyList<TrackedFlow>> ListFlowsAsync(AddressFamily family, IPAddress replySource, CancellationToken cancellationToken = default);

    /// <summary>Deletes every flow whose original destination is <paramref name="address"/>, any protocol and state; returns how many.</summary>
    Task<int> DeleteFlowsToAsync(IPAddress address, CancellationToken cancellationToken = default);
}
