using System.Threading.Channels;
using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Nflog;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.ProviderHooks;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.Systemd;
using Keepwire.Adapters.WireGuard;
using Keepwire.Engine;
using Keepwire.Health;
using Keepwire.Health.Liveness;
using Keepwire.Model;
using Keepwire.Notifications;
using Keepwire.Reconciliation;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// The hub's outside world, one small interface each, built in one place (<see cref="ForHost"/>, the composition
/// root) and handed to the daemon; tests hand it fakes instead and run the whole hub in process.
/// </summary>
/// <param name="Runner">Runs the programs the pair's supervisors need (keepalived, conntrackd).</param>
/// <param name="CreateCheck">Builds the probe for one check definition; the caller disposes it.</param>
/// <param name="Processes">The process table keepalived's supervisor looks its pid up in.</param>
/// <param name="RoutingChanges">Whether links, addresses or routes changed since the last pass; null: read them every pass.</param>
public sealed record HubAdapters(
    ICommandRunner Runner,
    INftables Nftables,
    IConntrack Conntrack,
    IWireGuard WireGuard,
    IRouting Routing,
    ISysctl Sysctl,
    Func<CheckDefinition, IHealthCheck> CreateCheck,
    IProcessTable Processes,
    IRoutingChanges? RoutingChanges = null)
{
    /// <summary>
    /// Whether addresses changed since the pair last read which VIPs this hub holds; the default knows nothing, so
    /// the pair reads them (a run of <c>ip</c>) whenever its last reading is older than 50 ms.
    /// </summary>
    public IRoutingChanges AddressChanges { get; init; } = AlwaysChanged.Instance;

    /// <summary>systemd's notify socket (READY, STATUS, the watchdog); none unless the host sets one.</summary>
    public SystemdNotifier Systemd { get; init; } = SystemdNotifier.None;

    /// <summary>
    /// Opens the hub's liveness socket of an address family and transport (<see cref="UdpLivenessSocket"/>, <see cref="IcmpLivenessSocket"/> on a host); null: no
    /// liveness stream, as with fakes, which must not send real datagrams.
    /// </summary>
    public Func<LivenessSocketKind, ILivenessSocket>? OpenLivenessSocket { get; init; }

    /// <summary>
    /// Starts reading the sites' refusals the table logs (<see cref="NflogRefusalListener"/> on a host) into the
    /// writer; dispose it to stop. Null: no passive evidence, as with fakes.
    /// </summary>
    public Func<ChannelWriter<RefusedFlow>, IDisposable>? ListenForRefusals { get; init; }

    /// <summary>Sends notifications (HTTP POSTs, exec receivers through <see cref="Runner"/>); off the decision path.</summary>
    public INotificationTransport Notifications { get; init; } = new NotificationTransport(Runner);

    /// <summary>Runs a pair's provider hook (<c>hub_pair.vip_mover: provider</c>) in its own process group; off the decision path.</summary>
    public IProviderHook ProviderHooks { get; init; } = new ProviderHookProcess(Runner);

    /// <summary>
    /// The real ones, acting on the daemon's own network namespace: tools run through <paramref name="runner"/> as
    /// programs with argument lists, nftables through libnftables in the process (a switch starts no program), and
    /// what the idle reconcile pass reads every second without a program (the
    /// nftables generation and routing changes over netlink, sysctls from /proc/sys, a wireguard-go device through
    /// its socket), so an idle hub starts none.
    /// </summary>
    public static HubAdapters ForHost(ICommandRunner runner, ILoggerFactory loggers, TimeProvider time) => new(
        runner,
        NftablesLibrary.ForThisNamespace(runner, new NftablesGeneration()),
        new ConntrackCli(runner),
        new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>(), linkExists: name => Libc.InterfaceIndex(name) != 0),
        new RoutingCli(runner),
        new ProcSysctl(),
        definition => HealthChecks.Create(definition, runner, time),
        new ProcfsProcessTable(),
        new RtnetlinkChanges())
    {
        AddressChanges = RtnetlinkChanges.Addresses(),
        OpenLivenessSocket = kind => kind.Transport == LivenessTransport.IcmpEcho ? new IcmpLivenessSocket(kind.Family) : new UdpLivenessSocket(kind.Family),
        ListenForRefusals = output => NflogRefusalListener.Start(NftForwardingTable.RefusalLogGroup, output, time, loggers.CreateLogger<NflogRefusalListener>()),
        Systemd = SystemdNotifier.FromEnvironment(),
    };
}
