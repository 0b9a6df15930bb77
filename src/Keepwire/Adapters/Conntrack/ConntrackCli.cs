using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Conntrack;

/// <summary><see cref="IConntrack"/> over the <c>conntrack</c> program (conntrack-tools).</summary>
public sealed partial class ConntrackCli(ICommandRunner runner) : IConntrack
{
    private static readonly string[] Protocols = ["tcp", "udp"];

    public async Task<int> DeleteFlowsToAsync(IPAddress backend, CancellationToken cancellationToken = default)
    {
        var family = backend.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
        var deleted = 0;
        foreach (var protocol in Protocols)
        {
            var result = await runner.RunAsync(
                "conntrack",
                ["-D", "-f", family, "-p", protocol, "--reply-src", backend.ToString()],
                cancellationToken: cancellationToken);
            deleted += DeletedCount(result);
        }
        return deleted;
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
}
