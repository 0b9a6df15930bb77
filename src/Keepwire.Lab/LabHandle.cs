using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;

namespace Keepwire.Lab;

/// <summary>
/// A running lab: its layout and files, and the levers tests and the demo pull (daemons,
/// web and echo servers, links). Disposing it tears the lab down.
/// </summary>
public sealed partial class LabHandle : IAsyncDisposable
{
    private static readonly TimeSpan DaemonStopGrace = TimeSpan.FromSeconds(15);

    private readonly NetworkLab lab;
    private readonly ICommandRunner runner;
    private readonly LabPaths paths;
    private readonly LabProcesses processes;
    private readonly LabWebServer webServer;
    private readonly LabEchoServer echoServer;
    private readonly ILogger logger;
    private bool down;

    internal LabHandle(NetworkLab lab, ICommandRunner runner, LabPaths paths, LabTopology topology, IReadOnlyList<string> keepwireCommand, ILogger logger,
        IReadOnlyList<string>? hubCommand = null)
    {
        this.lab = lab;
        this.runner = runner;
        this.paths = paths;
        this.logger = logger;
        KeepwireCommand = keepwireCommand;
        HubCommand = hubCommand ?? keepwireCommand;
        Topology = topology;
        processes = new LabProcesses(runner, paths, logger);
        webServer = new LabWebServer(runner, paths, processes);
        echoServer = new LabEchoServer(runner, paths, processes);
    }

    public LabTopology Topology { get; }

    public string Prefix => paths.Prefix;

    public string StateDirectory => paths.Root;

    /// <summary>The cluster config the daemons run with (<c>{state}/keepwire.yaml</c>).</summary>
    public string ConfigPath => paths.ConfigFile;

    /// <summary>Daemon and echo-server output, one <c>NAME.log</c> per process.</summary>
    public string LogsDirectory => paths.LogsDirectory;

    /// <summary>The program (and leading arguments) the lab runs keepwire with.</summary>
    public IReadOnlyList<string> KeepwireCommand { get; }

    /// <summary>The program (and leading arguments) the lab runs the hub daemons with: <see cref="KeepwireCommand"/> unless the lab was told otherwise.</summary>
    public IReadOnlyList<string> HubCommand { get; }

    /// <summary>Output of the daemon <paramref name="node"/> (hub, alpha, …).</summary>
    public string DaemonLogFile(string node) => paths.LogFile(node);

    public string DaemonSocketPath(string node) => paths.NodeSocket(node);

    public string DaemonStateDirectory(string node) => paths.NodeStateDirectory(node);

    public string PrivateKeyFile(string node) => paths.PrivateKeyFile(node);

    public string PublicKey(string node) => File.ReadAllText(paths.PublicKeyFile(node)).Trim();

    /// <summary>The file whose existence fails the site's local check (<see cref="LocalCheckName"/>).</summary>
    public string LocalCheckFlagFile(string site) => paths.LocalCheckFlagFile(Topology.Site(site).Name);

    /// <summary>The name of the local check every lab site runs.</summary>
    public static string LocalCheckName => LabConfigWriter.LocalCheckName;

    /// <summary>nginx's access log of a site: one line per request, starting with the client address.</summary>
    public string WebAccessLog(string site) => webServer.AccessLog(Topology.Site(site).Name);

    /// <summary>Runs a program inside a host's namespace (net, hub or hub1/hub2, alpha, bravo, charlie, nat, client) and returns its result, whatever the exit code.</summary>
    public Task<CommandResult> ExecAsync(string host, params string[] arguments) => ExecAsync(host, arguments, null, CancellationToken.None);

    public Task<CommandResult> ExecAsync(string host, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default) =>
        runner.RunAsync("ip", ["netns", "exec", Topology.NamespaceOf(host), .. arguments], standardInput, cancellationToken: cancellationToken);

    public Task StopSiteWebServerAsync(string site, CancellationToken cancellationToken = default) =>
        webServer.StopAsync(Topology.Site(site).Name, cancellationToken);

    public Task StartSiteWebServerAsync(string site, CancellationToken cancellationToken = default) =>
        webServer.StartAsync(Topology.Site(site), cancellationToken);

    public Task StopSiteEchoServerAsync(string site, CancellationToken cancellationToken = default) =>
        echoServer.StopAsync(Topology.Site(site), cancellationToken);

    public Task StartSiteEchoServerAsync(string site, CancellationToken cancellationToken = default) =>
        echoServer.StartAsync(Topology.Site(site), cancellationToken);

    /// <summary>A second UDP echo at the site, on <paramref name="port"/> and bound to all addresses (0.0.0.0 and ::).</summary>
    public Task StartSiteWildcardEchoAsync(string site, int port, CancellationToken cancellationToken = default) =>
        echoServer.StartWildcardAsync(Topology.Site(site), port, cancellationToken);

    public Task StopSiteWildcardEchoAsync(string site, int port, CancellationToken cancellationToken = default) =>
        echoServer.StopWildcardAsync(Topology.Site(site), port, cancellationToken);

    /// <summary>
    /// Cuts a host off the network by taking down the far end of its uplink (the bridge port,
    /// or for the CGNAT site the NAT router's inside port): the host sees its link lose carrier,
    /// as when a cable or a modem dies. Its addresses and routes stay as they were.
    /// </summary>
    public Task CutLinkAsync(string host, CancellationToken cancellationToken = default) => SetUplinkAsync(host, "down", cancellationToken);

    public Task RestoreLinkAsync(string host, CancellationToken cancellationToken = default) => SetUplinkAsync(host, "up", cancellationToken);

    /// <summary>
    /// The CGNAT site's NAT router stops translating while it still forwards: the site's packets reach the hubs
    /// from its private address, which the hubs route to a next hop nobody answers (a site stranded behind a
    /// broken NAT, as seen in the field). <see cref="RestoreNatTranslationAsync"/> undoes it.
    /// </summary>
    public Task StopNatTranslationAsync(CancellationToken cancellationToken = default) =>
        new LabNetworkBuilder(runner, Topology).StopNatTranslationAsync(cancellationToken);

    public Task RestoreNatTranslationAsync(CancellationToken cancellationToken = default) =>
        new LabNetworkBuilder(runner, Topology).RestoreNatTranslationAsync(cancellationToken);

    /// <summary>Tears the lab down (everything <see cref="NetworkLab.DownAsync"/> removes).</summary>
    public async Task DownAsync(CancellationToken cancellationToken = default)
    {
        if (down)
            return;
        down = true;
        await lab.DownAsync(Prefix, Path.GetDirectoryName(paths.Root)!, cancellationToken);
    }

    public async ValueTask DisposeAsync() => await DownAsync();

    internal async Task StartServersAsync(CancellationToken cancellationToken)
    {
        foreach (var site in Topology.Sites)
        {
            await webServer.StartAsync(site, cancellationToken);
            await echoServer.StartAsync(site, cancellationToken);
        }
        foreach (var server in Topology.Lan?.Servers ?? [])
            await webServer.StartAsync(server.Name, server.Namespace, cancellationToken);
    }

    private async Task SetUplinkAsync(string host, string state, CancellationToken cancellationToken)
    {
        var (ns, device) = UplinkFarEnd(host);
        await runner.RunCheckedAsync("ip", ["-n", ns, "link", "set", "dev", device, state], cancellationToken: cancellationToken);
    }

    private (string Namespace, string Device) UplinkFarEnd(string host)
    {
        if (host == "net")
            throw new ArgumentException("The internet namespace has no uplink to cut; cut a host's link instead.", nameof(host));
        _ = Topology.NamespaceOf(host);
        var behindNat = Topology.Sites.FirstOrDefault(s => s.Name == host && s.BehindNat);
        return behindNat is not null ? (Topology.Nat.Namespace, LabNetworkBuilder.NatInsideInterface) : (Topology.InternetNamespace, host);
    }
}
