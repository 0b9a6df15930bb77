using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Adapters.Conntrack;

/// <summary><see cref="IConntrack"/> over the <c>conntrack</c> program (conntrack-tools).</summary>
public sealed partial class ConntrackCli(ICommandRunner runner) : IConntrack
{
    public async Task<int> DeleteFlowsAsync(FlowSelector selector, CancellationToken cancellationToken = default)
    {
        if (!selector.IsRange)
            return await DeleteAsync(selector.Filter(selector.FirstPort), cancellationToken);

        // conntrack 1.4.7 filters on one port, and every -D walks the whole table (about 3 ms per
        // 1000 entries): one -D per port of a wide range would cost more than the range's flows.
        // So list the range's candidates once and delete only on the ports that have flows.
        var deleted = 0;
        foreach (var port in await ListDestinationPortsAsync(selector, cancellationToken))
        {
            if (port >= selector.FirstPort && port <= selector.LastPort)
                deleted += await DeleteAsync(selector.Filter(port), cancellationToken);
        }
        return deleted;
    }

    public Task<int> DeleteFlowsToAsync(IPAddress address, CancellationToken cancellationToken = default) =>
        DeleteAsync(["-f", address.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4", "--orig-dst", address.ToString()], cancellationToken);

    public async Task<IReadOnlyList<TrackedFlow>> ListFlowsAsync(AddressFamily family, IPAddress replySource, CancellationToken cancellationToken = default)
    {
        var listing = await runner.RunAsync("conntrack", ["-L", "-f", family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4", "--reply-src", replySource.ToString()], cancellationToken: cancellationToken);
        if (!listing.Succeeded)
            throw new CommandFailedException(listing);
        return ParseFlows(listing.StandardOutput);
    }

    /// <summary>The TCP and UDP entries of a <c>conntrack -L</c> listing; the original direction comes first on a line.</summary>
    public static IReadOnlyList<TrackedFlow> ParseFlows(string listing)
    {
        var flows = new List<TrackedFlow>();
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var protocol = line.StartsWith("tcp ", StringComparison.Ordinal) ? TransportProtocol.Tcp
                : line.StartsWith("udp ", StringComparison.Ordinal) ? TransportProtocol.Udp
                : (TransportProtocol?)null;
            if (protocol is null || OriginalDestination().Match(line) is not { Success: true } destination || DestinationPort().Match(line) is not { Success: true } port)
                continue;
            if (IPAddress.TryParse(destination.Groups["address"].Value, out var address))
                flows.Add(new TrackedFlow(protocol.Value, address, int.Parse(port.Groups["port"].Value, CultureInfo.InvariantCulture)));
        }
        return flows;
    }

    private async Task<int> DeleteAsync(IReadOnlyList<string> filter, CancellationToken cancellationToken) =>
        DeletedCount(await runner.RunAsync("conntrack", ["-D", .. filter], cancellationToken: cancellationToken));

    /// <summary>The original destination ports of the selector's flows on any port, each once.</summary>
    private async Task<SortedSet<int>> ListDestinationPortsAsync(FlowSelector selector, CancellationToken cancellationToken)
    {
        var listing = await runner.RunAsync("conntrack", ["-L", .. selector.Filter(null)], cancellationToken: cancellationToken);
        if (!listing.Succeeded)
            throw new CommandFailedException(listing);
        var ports = new SortedSet<int>();
        foreach (var line in listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // The original direction comes first on a line: its dport is the public port.
            if (DestinationPort().Match(line) is { Success: true } match)
                ports.Add(int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
        return ports;
    }

    /// <summary>
    /// The number of deleted entries from conntrack's summary line. conntrack exits 1 when it
    /// deleted nothing ("0 flow entries have been deleted"): that is not a failure.
    /// </summary>
    public static int DeletedCount(CommandResult result)
    {
        var summary = DeletedSummary().Match(result.StandardError + "\n" + result.StandardOutput);
        if (!summary.Success)
            throw new CommandFailedException(result);
        var count = int.Parse(summary.Groups["count"].Value, CultureInfo.InvariantCulture);
        if (!result.Succeeded && count != 0)
            throw new CommandFailedException(result);
        return count;
    }

    [GeneratedRegex(@"(?<count>\d+) flow entr(?:y|ies) ha(?:s|ve) been deleted")]
    private static partial Regex DeletedSummary();

    [GeneratedRegex(@"\bdst=(?<address>[0-9A-Fa-f.:]+)")]
    private static partial Regex OriginalDestination();

    [GeneratedRegex(@"\bdport=(?<port>\d+)")]
    private static partial Regex DestinationPort();
}
