using System.Net;

namespace Keepwire.Health.Liveness;

/// <summary>
/// The hub's one liveness socket of an address family: sends never block (a full buffer fails the send, which is
/// counted), so one site's trouble cannot delay the datagrams of another.
/// </summary>
public interface ILivenessSocket : IDisposable
{
    /// <summary>Sends without blocking; false when the datagram could not be handed to the kernel.</summary>
    bool TrySend(IPEndPoint site, ReadOnlySpan<byte> datagram);

    /// <summary>The next datagram, with its source and the interface it arrived on.</summary>
    ValueTask<LivenessDatagram> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Datagrams wait unread: the hub has not caught up, so silence is not judged yet.</summary>
    bool HasUnread { get; }
}

/// <summary>A received datagram: its length in the buffer, its source address and the interface it came in on.</summary>
public readonly record struct LivenessDatagram(int Length, IPAddress Source, int InterfaceIndex);
