using System.Net;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// <see cref="IHostResolver"/> through <c>getent ahosts</c>: the same getaddrinfo, nsswitch and gai.conf
/// ordering that <see cref="Dns.GetHostAddressesAsync(string)"/> uses, but run through
/// <see cref="ICommandRunner"/>, so it resolves inside the network (and mount) namespace the runner targets:
/// with <c>ip netns exec</c>, /etc/netns/NS/hosts and resolv.conf apply, as they would for <c>wg</c> itself.
/// </summary>
public sealed class GetentHostResolver(ICommandRunner runner) : IHostResolver
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(host, out var literal))
            return [literal];
        // getent exits 2 when the name is unknown: that is an answer (no addresses), not a failure.
        var result = await runner.RunAsync("getent", ["ahosts", host], cancellationToken: cancellationToken);
        return result.Succeeded ? ParseAhosts(result.StandardOutput) : [];
    }

    /// <summary>
    /// <c>getent ahosts</c> prints each address once per socket type (<c>ADDR STREAM name</c>, <c>ADDR DGRAM</c>, <c>ADDR RAW</c>);
    /// keep the first occurrence of each, in order.
    /// </summary>
    internal static IReadOnlyList<IPAddress> ParseAhosts(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', '\t')[0])
            .Select(text => IPAddress.TryParse(text, out var address) ? address : null)
            .OfType<IPAddress>()
            .Distinct()];
}
