using Keepwire.Adapters.Conntrack;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Nftables;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.Adapters.WireGuard;
using Keepwire.Health;
using Keepwire.Model;
using Keepwire.Notifications;
using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

/// <summary>
/// The hub's outside world, one small interface each, built in one place (<see cref="ForHost"/>, the composition
/// root) and handed to the daemon; tests hand it fakes instead and run the whole hub in process.
/// </summary>
/// <param name="Runner">Runs the programs the pair's supervisors need (keepalived, conntrackd).</param>
/// <param name="CreateCheck">Builds the probe for one check definition; the caller disposes it.</param>
/// <param name="Processes">The process table keepalived's supervisor looks its pid up in.</param>
public sealed record HubAdapters(
    ICommandRunner Runner,
    INftables Nftables,
    IConntrack Conntrack,
    IWireGuard WireGuard,
    IRouting Routing,
    ISysctl Sysctl,
    Func<CheckDefinition, IHealthCheck> CreateCheck,
    IProcessTable Processes)
{
    /// <summary>Sends notifications (HTTP POSTs, exec receivers through <see cref="Runner"/>); off the decision path.</summary>
    public INotificationTransport Notifications { get; init; } = new NotificationTransport(Runner);

    /// <summary>The real ones: every tool run through <paramref name="runner"/> as a program with an argument list.</summary>
    public static HubAdapters ForHost(ICommandRunner runner, ILoggerFactory loggers, TimeProvider time) => new(
        runner,
        new NftablesCli(runner),
        new ConntrackCli(runner),
        new WireGuardCli(runner, loggers.CreateLogger<WireGuardCli>()),
        new RoutingCli(runner),
        new Sysctl(runner),
        definition => HealthChecks.Create(definition, runner, time),
        new ProcfsProcessTable());
}
