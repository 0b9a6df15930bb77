using System.Net;
using Keepwire.Adapters.WireGuard;

namespace Keepwire.Reconciliation;

public sealed partial class SiteNetworkReconciler
{
    /// <summary>
    /// Which hub endpoint the site's peer should have. The name is resolved every pass, so a changed DNS
    /// record is followed at once. A working endpoint (recent handshake) is never touched. A stale one is
    /// set again, moving to the hub's next address (say from IPv6 to IPv4), at most every
    /// <see cref="RetryInterval"/>: setting it also drops WireGuard's sticky source address, which is how
    /// the site recovers after an outage or a change of its own address.
    /// </summary>
    /// <param name="Endpoint">Null when the hub has no reachable address: leave the peer's endpoint as it is.</param>
    /// <param name="Refresh">Set the endpoint even though the peer already has this value.</param>
    internal sealed record EndpointChoice(IPEndPoint? Endpoint, bool Refresh, string Reason)
    {
        /// <summary>WireGuard's REJECT_AFTER_TIME: after this a session's keys are refused.</summary>
        public static readonly TimeSpan RejectAfterTime = TimeSpan.FromSeconds(180);

        /// <summary>
        /// Three handshake attempts (REKEY_TIMEOUT is 5 s): long enough for a handshake to complete before
        /// the next address is tried.
        /// </summary>
        public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(15);

        private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

        /// <summary>
        /// How old the latest handshake may be on a healthy tunnel. A responder may keep its session until
        /// REJECT_AFTER_TIME, and the site's next keepalive then starts a new handshake; so a handshake older
        /// than that plus one keepalive interval (plus a margin) means the tunnel is down. (REKEY_AFTER_TIME,
        /// 120 s, only bounds the initiator, and the hub may well be the initiator.)
        /// </summary>
        public static TimeSpan StaleAfter(int persistentKeepaliveSeconds) =>
            RejectAfterTime + TimeSpan.FromSeconds(persistentKeepaliveSeconds) + Margin;

        /// <param name="candidates">The hub's addresses this host can route to, most preferred first.</param>
        /// <param name="lastSetAt">When Keepwire last set this interface's endpoint, if it remembers.</param>
        public static EndpointChoice Decide(
            IReadOnlyList<IPAddress> candidates, int port, WireGuardPeerState? peer, DateTimeOffset now, DateTimeOffset? lastSetAt, int persistentKeepaliveSeconds)
        {
            var current = peer?.Endpoint;
            if (candidates.Count == 0)
                return new(null, false, "hub address unknown");

            var index = current is null || current.Port != port ? -1 : IndexOf(candidates, current.Address);
            if (index < 0)
                return new(new IPEndPoint(candidates[0], port), false, current is null ? "first endpoint" : $"hub address changed from {current}");

            var handshake = peer?.LatestHandshake;
            if (handshake is not null && now - handshake.Value <= StaleAfter(persistentKeepaliveSeconds))
                return new(current, false, "handshake recent");
            if (lastSetAt is not null && now - lastSetAt.Value < RetryInterval)
                return new(current, false, "waiting for the handshake after the last change");

            var next = candidates[(index + 1) % candidates.Count];
            var age = handshake is null ? "no handshake yet" : $"latest handshake {(int)(now - handshake.Value).TotalSeconds} s ago";
            return new(new IPEndPoint(next, port), true, $"{age}: retrying");
        }

        private static int IndexOf(IReadOnlyList<IPAddress> candidates, IPAddress address)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                // An IPv4 endpoint may be reported IPv4-mapped by a dual-stack socket.
                if (candidates[i].Equals(address) || (address.IsIPv4MappedToIPv6 && candidates[i].Equals(address.MapToIPv4())))
                    return i;
            }
            return -1;
        }
    }
}
