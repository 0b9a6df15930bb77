using System.Net;

namespace Keepwire.Adapters.Conntrack;

/// <summary>The conntrack operations failover needs.</summary>
public interface IConntrack
{
    /// <summary>
    /// Deletes the TCP and UDP flows whose reply comes from <paramref name="backend"/>, i.e. the flows
    /// the hub DNATed to that backend, so their next packet (a retransmitted SYN) is NATed afresh.
    /// Returns how many entries were deleted.
    /// </summary>
    Task<int> DeleteFlowsToAsync(IPAddress backend, CancellationToken cancellationToken = default);
}
