using System.Net;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The hub's one liveness socket of an address family and transport. Nothing on it waits: sends fail when the buffer is
/// full (counted), so one site's trouble cannot delay the datagrams of another, and the monitor drains the answers on
/// its own beat, each with the time the kernel received it, rather than waking for every one.
/// </summary>
public interface ILivenessSocket : IDisposable
{
    /// <summary>Sends without blocking; false when the datagram could not be handed to the kernel.</summary>
    bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram);

    /// <summary>The next answer waiting, copied into <paramref name="buffer"/>; false when none waits.</summary>
    bool TryReceive(Span<byte> buffer, out LivenessDatagram datagram);
}

/// <summary>
/// A received datagram: its length in the buffer, its source address, the interface it came in on, and when the kernel
/// received it (null when the kernel did not say; the reader's clock stands in).
/// </summary>
public readonly record struct LivenessDatagram(int Length, IPAddress Source, int InterfaceIndex, DateTimeOffset? ReceivedAt = null);
