using System.Net;
using System.Net.Sockets;

namespace Keepwire.Health.Liveness;

/// <summary>How a site answers the liveness stream.</summary>
public enum LivenessTransport
{
    /// <summary>The site agent echoes a UDP datagram on <see cref="LivenessEcho.Port"/> (sites in <c>mode: agent</c>).</summary>
    AgentEcho,

    /// <summary>
    /// The site's kernel answers an ICMP echo request to its tunnel address (sites in <c>mode: snat</c>, which run no
    /// agent: a plain WireGuard peer, a router). Proves the tunnel and the host, not that any program runs there.
    /// </summary>
    IcmpEcho,
}

/// <summary>One socket of the hub's liveness stream: per address family and transport, shared by every site that needs it.</summary>
public readonly record struct LivenessSocketKind(AddressFamily Family, LivenessTransport Transport);

/// <summary>A site the hub sends liveness to: its tunnel address, and how it answers.</summary>
public sealed record LivenessTarget(string Site, IPAddress Address, LivenessTransport Transport = LivenessTransport.AgentEcho)
{
    public LivenessSocketKind Kind => new(Address.AddressFamily, Transport);
}
