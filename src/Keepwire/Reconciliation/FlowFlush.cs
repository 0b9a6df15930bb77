using System.Net;
using Keepwire.Adapters.Conntrack;

namespace Keepwire.Reconciliation;

/// <summary>
/// Conntrack entries that must go once a step's forwarding table is in the kernel, so the next packet
/// of each flow (a retransmitted SYN, the next datagram) is NATed afresh instead of following a stale entry.
/// </summary>
public abstract record FlowFlush
{
    private FlowFlush()
    {
    }

    /// <summary>
    /// An unplanned switch: <paramref name="Service"/>'s flows to <paramref name="Site"/>, the site it left
    /// (<see cref="ServiceFlowSelectors"/>: its VIPs, protocols and ports, replies from that site, nothing else).
    /// </summary>
    public sealed record ServiceLeftSite(string Service, string Site, IReadOnlyList<FlowSelector> Selectors) : FlowFlush;

    /// <summary>
    /// A pair hub without the VIPs: every flow towards them. The clients' packets go to the other hub now, and
    /// an old entry here (a closed connection's TIME_WAIT) would meet the same 4-tuple when the VIPs come back:
    /// not NATed, it would be reset by this hub's own TCP stack.
    /// </summary>
    public sealed record VipsReleased(IReadOnlyList<IPAddress> Vips) : FlowFlush;
}
