using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Keepwire.Adapters.Processes;

namespace Keepwire.Lab;

/// <summary>
/// The UDP echo on port 7 of every site: answers each datagram with <c>site=NAME client=ADDRESS</c>.
/// One long-running process per address, each bound to that address: a socket bound to the wildcard
/// would answer from whatever source address routing picks, which breaks replies to a DNATed VIP (the
/// hub's conntrack only matches a reply from the tunnel address the datagram was sent to). The tunnel
/// addresses appear only when the site daemon configures WireGuard, so the site namespace allows
/// binding addresses it does not have yet (<c>ip_nonlocal_bind</c>). It answers from one loop rather
/// than a process per datagram (socat's fork + exec): the hub's UDP checks send tens of datagrams a
/// second to every site, which a busy machine could not fork for; the queue grew and every check
/// timed out.
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

    // perl is always there (perl-base is essential on Debian, and has Socket); inet_ntop prints
    // IPv6 peers in the usual short form.
    private const string ServerProgram = """
        #!/usr/bin/perl
        # Written by `keepwire lab`: the UDP echo of one site address, one answer line per datagram.
        # Usage: echo-server SITE ADDRESS PORT
        use strict;
        use warnings;
        use Socket qw(AF_INET AF_INET6 SOCK_DGRAM SOL_SOCKET SO_REUSEADDR inet_pton inet_ntop
                      pack_sockaddr_in pack_sockaddr_in6 unpack_sockaddr_in unpack_sockaddr_in6);
        my ($site, $address, $port) = @ARGV;
        my $family = $address =~ /:/ ? AF_INET6 : AF_INET;
        my $packed = inet_pton($family, $address) or die "not an address: $address\n";
        socket(my $socket, $family, SOCK_DGRAM, 0) or die "socket: $!\n";
        setsockopt($socket, SOL_SOCKET, SO_REUSEADDR, 1) or die "SO_REUSEADDR: $!\n";
        bind($socket, $family == AF_INET6 ? pack_sockaddr_in6($port, $packed) : pack_sockaddr_in($port, $packed))
            or die "bind $address port $port: $!\n";
        while (1) {
            my $peer = recv($socket, my $datagram, 65535, 0);
            next unless defined $peer;
            my (undef, $peer_address) = $family == AF_INET6 ? unpack_sockaddr_in6($peer) : unpack_sockaddr_in($peer);
            send($socket, "site=$site client=" . inet_ntop($family, $peer_address) . "\n", 0, $peer);
        }

        """;

    /// <summary>
    /// Writes the echo server every site address runs, and the one-answer program for socat's EXEC
    /// (one line for the peer in SOCAT_PEERADDR; for ad-hoc listeners) (both shared by all sites).
    /// </summary>
    public void Prepare()
    {
        File.WriteAllText(paths.EchoServerProgram, ServerProgram);
        File.SetUnixFileMode(paths.EchoServerProgram, LabFileModes.WorldReadableDirectory);
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
            string[] command = ["perl", paths.EchoServerProgram, site.Name, address.ToString(), Port.ToString(CultureInfo.InvariantCulture)];
            await processes.StartDetachedAsync(ProcessName(site, address), site.Namespace, command, cancellationToken);
        }
        await WaitUntilBoundAsync(site, cancellationToken);
    }

    /// <summary>
    /// Waits until every socket is bound: the pid file exists before the echo has bound its socket,
    /// and a datagram arriving in between would be answered with "port unreachable".
    /// </summary>
    private Task WaitUntilBoundAsync(LabSite site, CancellationToken cancellationToken) =>
        WaitUntilBoundAsync(
            site,
            [.. Addresses(site).Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{Port}" : $"{a}:{Port}")],
            ProcessName(site, Addresses(site)[0]),
            cancellationToken);

    /// <param name="expected">Local addresses as ss prints them; <c>a|b</c> accepts either.</param>
    private async Task WaitUntilBoundAsync(LabSite site, IReadOnlyList<string> expected, string logName, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + BindWait;
        while (true)
        {
            var sockets = await runner.RunCheckedAsync("ip", ["netns", "exec", site.Namespace, "ss", "-H", "-u", "-l", "-n"], cancellationToken: cancellationToken);
            var bound = sockets.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 4)
                .Select(fields => fields[3])
                .ToHashSet(StringComparer.Ordinal);
            var missing = expected.Where(e => !e.Split('|').Any(bound.Contains)).ToList();
            if (missing.Count == 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"The UDP echo of site {site.Name} did not bind {string.Join(", ", missing)}. {LogTail.Describe(paths.LogFile(logName))}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>
    /// An echo on <paramref name="port"/> bound to all addresses (0.0.0.0 and ::), the way most UDP servers are
    /// set up: it answers with whatever source address the kernel picks, which the site agent must turn into
    /// the tunnel address for a client reached through the VIP.
    /// </summary>
    public async Task StartWildcardAsync(LabSite site, int port, CancellationToken cancellationToken)
    {
        foreach (var address in WildcardAddresses)
        {
            string[] command = ["perl", paths.EchoServerProgram, site.Name, address.ToString(), port.ToString(CultureInfo.InvariantCulture)];
            await processes.StartDetachedAsync(WildcardProcessName(site, address, port), site.Namespace, command, cancellationToken);
        }
        // The IPv6 socket is dual-stack, so ss may list it as *:PORT rather than [::]:PORT.
        await WaitUntilBoundAsync(site, [$"0.0.0.0:{port}", $"[::]:{port}|*:{port}"], WildcardProcessName(site, WildcardAddresses[0], port), cancellationToken);
    }

    public async Task StopWildcardAsync(LabSite site, int port, CancellationToken cancellationToken)
    {
        foreach (var address in WildcardAddresses)
            await processes.StopAsync(WildcardProcessName(site, address, port), "TERM", TimeSpan.FromSeconds(5), cancellationToken);
    }

    private static readonly IPAddress[] WildcardAddresses = [IPAddress.Any, IPAddress.IPv6Any];

    private static string WildcardProcessName(LabSite site, IPAddress address, int port) =>
        $"echo-{site.Name}-any{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4)}-{port}";

    public async Task StopAsync(LabSite site, CancellationToken cancellationToken)
    {
        foreach (var address in Addresses(site))
            await processes.StopAsync(ProcessName(site, address), "TERM", TimeSpan.FromSeconds(5), cancellationToken);
    }
}
