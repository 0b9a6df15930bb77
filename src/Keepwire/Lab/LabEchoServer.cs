using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// The UDP echo on port 7 of every site: answers each datagram with <c>site=NAME client=ADDRESS</c>.
/// One socat per address, each bound to that address: a socket bound to the wildcard would answer
/// from whatever source address routing picks, which breaks replies to a DNATed VIP (the hub's
/// conntrack only matches a reply from the tunnel address the datagram was sent to). The tunnel
/// addresses appear only when the site daemon configures WireGuard, so the site namespace allows
/// binding addresses it does not have yet (<c>ip_nonlocal_bind</c>).
/// </summary>
internal sealed class LabEchoServer(ICommandRunner runner, LabPaths paths, LabProcesses processes)
{
    private static readonly TimeSpan BindWait = TimeSpan.FromSeconds(10);

    public const int Port = 7;

    // socat hands the peer to the child as SOCAT_PEERADDR, IPv6 fully expanded in brackets;
    // perl (always present: perl-base is essential on Debian) prints the usual short form.
    private const string ReplyProgram = """
        #!/usr/bin/perl
        # Written by `keepwire lab`: the UDP echo's answer, one line per datagram.
        use strict;
        use Socket qw(AF_INET6 inet_pton inet_ntop);
        my $peer = $ENV{SOCAT_PEERADDR} // "";
        $peer =~ s/^\[(.*)\]$/$1/;
        $peer = inet_ntop(AF_INET6, inet_pton(AF_INET6, $peer)) if $peer =~ /:/;
        print "site=$ARGV[0] client=$peer\n";

        """;

    /// <summary>Writes the program socat runs for every datagram (shared by all sites).</summary>
    public void Prepare()
    {
        File.WriteAllText(paths.EchoReplyProgram, ReplyProgram);
        File.SetUnixFileMode(paths.EchoReplyProgram, LabFileModes.WorldReadableDirectory);
    }

    public static IReadOnlyList<IPAddress> Addresses(LabSite site) => [site.Tunnel.IPv4, site.Tunnel.IPv6, site.Host.IPv4, site.Host.IPv6];

    public static string ProcessName(LabSite site, IPAddress address) =>
        $"echo-{site.Name}-{(address.Equals(site.Tunnel.IPv4) || address.Equals(site.Tunnel.IPv6) ? "tunnel" : "host")}{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4)}";

    public async Task StartAsync(LabSite site, CancellationToken cancellationToken)
    {
        foreach (var address in Addresses(site))
        {
            var (family, bindAddress) = address.AddressFamily == AddressFamily.InterNetworkV6 ? ("UDP6", $"[{address}]") : ("UDP4", address.ToString());
            string[] command =
            [
                "socat", "-T1",
                $"{family}-RECVFROM:{Port},bind={bindAddress},reuseaddr,fork",
                $"EXEC:{paths.EchoReplyProgram} {site.Name}",
            ];
            await processes.StartDetachedAsync(ProcessName(site, address), site.Namespace, command, cancellationToken);
        }
        await WaitUntilBoundAsync(site, cancellationToken);
    }

    /// <summary>
    /// Waits until every socket is bound: the pid file exists before socat has bound its socket,
    /// and a datagram arriving in between would be answered with "port unreachable".
    /// </summary>
    private async Task WaitUntilBoundAsync(LabSite site, CancellationToken cancellationToken)
    {
        var expected = Addresses(site)
            .Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{Port}" : $"{a}:{Port}")
            .ToList();
        var deadline = DateTime.UtcNow + BindWait;
        while (true)
        {
            var sockets = await runner.RunCheckedAsync("ip", ["netns", "exec", site.Namespace, "ss", "-H", "-u", "-l", "-n"], cancellationToken: cancellationToken);
            var bound = sockets.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 4)
                .Select(fields => fields[3])
                .ToHashSet(StringComparer.Ordinal);
            var missing = expected.Where(e => !bound.Contains(e)).ToList();
            if (missing.Count == 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"The UDP echo of site {site.Name} did not bind {string.Join(", ", missing)}. {LogTail.Describe(paths.LogFile(ProcessName(site, Addresses(site)[0])))}");
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task StopAsync(LabSite site, CancellationToken cancellationToken)
    {
        foreach (var address in Addresses(site))
            await processes.StopAsync(ProcessName(site, address), "TERM", TimeSpan.FromSeconds(5), cancellationToken);
    }
}
