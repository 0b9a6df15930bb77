using System.Diagnostics;
using System.Globalization;
using System.Net;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;
using Keepwire.IntegrationTests.Forwarding;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.IntegrationTests.Keepalived;

/// <summary>
/// Two hub namespaces on one bridge, each with a keepalived run by a <see cref="KeepalivedSupervisor"/> and
/// a stand-in for the Keepwire daemon (a <c>sleep</c> whose pid file the keepalived daemon check watches).
/// Everything it starts is stopped by pid in <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class KeepalivedPairLab : IAsyncDisposable
{
    public static readonly IPAddress Vip4 = IPAddress.Parse("203.0.113.10");
    public static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8:5::10");
    public static readonly IPAddress[] Vips = [Vip4, Vip6];

    private readonly NamespaceScope _scope = new();
    private readonly CommandRunner _root = new();
    private readonly Dictionary<string, Hub> _hubs = [];
    private readonly string _runDirectory;

    private KeepalivedPairLab()
    {
        _runDirectory = Path.Combine("/run", $"{_scope.Prefix}-keepalived");
    }

    public sealed class Hub(string name, ICommandRunner runner, KeepalivedSettings settings, KeepalivedPaths paths)
    {
        public string Name { get; } = name;
        public ICommandRunner Runner { get; } = runner;
        public KeepalivedSettings Settings { get; } = settings;
        public KeepalivedPaths Paths { get; } = paths;
        public KeepalivedSupervisor Supervisor { get; set; } = null!;
        public KeepalivedTrackFile TrackFile { get; } = new(settings.TrackFile);
        public VipOwnership Vips { get; } = new(new RoutingCli(runner));
        public Process? Daemon { get; set; }
        public List<int> KeepalivedPids { get; } = [];

        public KeepalivedSupervisor NewSupervisor() =>
            new(Runner, Paths, new ProcfsProcessTable(), NullLogger.Instance);

        public Task<VipHolding> HoldingAsync() => Vips.ReadAsync("eth0", KeepalivedPairLab.Vips);
    }

    public Hub this[string name] => _hubs[name];

    public static async Task<KeepalivedPairLab> CreateAsync()
    {
        var lab = new KeepalivedPairLab();
        try
        {
            await lab.BuildAsync();
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
        return lab;
    }

    private async Task BuildAsync()
    {
        Directory.CreateDirectory(_runDirectory);
        var net = await _scope.CreateNamespaceAsync("net");
        await net.RunCheckedAsync("ip", ["link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0"]);
        await net.RunCheckedAsync("ip", ["link", "set", "br0", "up"]);
        (string Name, string Address, string Peer, int Priority)[] hubs =
            [("h1", "198.51.100.2", "198.51.100.3", 150), ("h2", "198.51.100.3", "198.51.100.2", 100)];
        foreach (var (name, address, peer, priority) in hubs)
        {
            var runner = await _scope.CreateNamespaceAsync(name);
            await net.RunCheckedAsync("ip", ["link", "add", $"p{name}", "type", "veth", "peer", "name", "eth0", "netns", _scope.NamespaceName(name)]);
            await net.RunCheckedAsync("ip", ["link", "set", $"p{name}", "master", "br0"]);
            await net.RunCheckedAsync("ip", ["link", "set", $"p{name}", "up"]);
            await runner.RunCheckedAsync("ip", ["addr", "add", $"{address}/24", "dev", "eth0"]);
            await runner.RunCheckedAsync("ip", ["link", "set", "eth0", "up"]);

            var paths = new KeepalivedPaths(Path.Combine(_runDirectory, name));
            var settings = new KeepalivedSettings(
                InstanceName: "keepwire",
                Interface: "eth0",
                VirtualRouterId: 51,
                Priority: priority,
                AdvertInterval: TimeSpan.FromMilliseconds(100),
                UnicastSource: IPAddress.Parse(address),
                UnicastPeer: IPAddress.Parse(peer),
                Ipv4Vips: [Vip4],
                Ipv6Vips: [Vip6],
                TrackFile: paths.TrackFile,
                DaemonPidFile: Path.Combine(_runDirectory, $"{name}-daemon.pid"),
                DaemonAliveGrace: KeepalivedSettings.DefaultDaemonAliveGrace);
            var hub = new Hub(name, runner, settings, paths);
            hub.Supervisor = hub.NewSupervisor();
            _hubs[name] = hub;
            StartDaemon(hub);
            await hub.TrackFile.WriteAsync(healthy: true, "test: healthy");
        }
    }

    /// <summary>Starts the stand-in daemon and writes its pid file, as the Keepwire daemon does at start-up.</summary>
    public void StartDaemon(Hub hub)
    {
        var daemon = Process.Start(new ProcessStartInfo("sleep", "infinity") { UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot start sleep");
        hub.Daemon = daemon;
        File.WriteAllText(hub.Settings.DaemonPidFile, daemon.Id.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    public async Task<KeepalivedRunState> EnsureRunningAsync(Hub hub, KeepalivedSettings? settings = null)
    {
        var state = await hub.Supervisor.EnsureRunningAsync(settings ?? hub.Settings);
        if (!hub.KeepalivedPids.Contains(state.Pid))
            hub.KeepalivedPids.Add(state.Pid);
        return state;
    }

    /// <summary>Waits until exactly one hub holds every VIP and the other none; returns that hub.</summary>
    public async Task<Hub> WaitForSingleMasterAsync(TimeSpan timeout)
    {
        Hub? master = null;
        await Poll.UntilAsync(async () =>
        {
            var holdings = new Dictionary<string, VipHolding>();
            foreach (var hub in _hubs.Values)
                holdings[hub.Name] = await hub.HoldingAsync();
            var holders = holdings.Where(pair => pair.Value.All).Select(pair => pair.Key).ToList();
            var partial = holdings.Count(pair => pair.Value.Any);
            master = holders.Count == 1 && partial == 1 ? _hubs[holders[0]] : null;
            return master is not null;
        }, timeout, "exactly one hub holding every VIP");
        return master!;
    }

    public Hub PeerOf(Hub hub) => _hubs.Values.Single(other => other != hub);

    public async ValueTask DisposeAsync()
    {
        foreach (var hub in _hubs.Values)
        {
            try
            {
                await hub.Supervisor.StopAsync();
            }
            catch (Exception e) when (e is KeepalivedException or CommandFailedException or IOException)
            {
                // Killed below by the pids this lab saw.
            }
            foreach (var pid in hub.KeepalivedPids)
                await _root.RunAsync("kill", ["-s", "KILL", pid.ToString(CultureInfo.InvariantCulture)]);
            if (hub.Daemon is { HasExited: false } daemon)
                daemon.Kill();
            hub.Daemon?.Dispose();
        }
        await _scope.CleanUpAsync();
        if (Directory.Exists(_runDirectory))
            Directory.Delete(_runDirectory, recursive: true);
    }
}
