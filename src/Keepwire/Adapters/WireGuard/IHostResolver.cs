using System.Net;

namespace Keepwire.Adapters.WireGuard;

/// <summary>Turns the host part of a WireGuard endpoint (a DNS name or a literal address) into addresses.</summary>
public interface IHostResolver
{
    /// <summary>The addresses in the system resolver's order of preference; empty if the name does not resolve.</summary>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default);
}
