using System.Net;
using Keepwire.Model;

namespace Keepwire.Engine;

/// <summary>A site refused a forwarded client: a TCP RST answering a SYN, or port unreachable for a datagram.</summary>
/// <param name="Site">The site's tunnel address (the refusal's source, before the hub undoes the DNAT).</param>
/// <param name="Protocol">TCP for a RST, UDP for port unreachable.</param>
/// <param name="Port">The site's port that refused: the backend port of a service.</param>
/// <param name="At">When the hub read it.</param>
public sealed record RefusedFlow(IPAddress Site, TransportProtocol Protocol, int Port, DateTimeOffset At);
