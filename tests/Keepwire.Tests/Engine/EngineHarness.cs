using System.Net;
using Keepwire.Adapters.Keepalived;
using Keepwire.Adapters.WireGuard;
using Keepwire.Decisions;
using Keepwire.Engine;
using Keepwire.Model;
using Keepwire.State;
using Keepwire.Sync;
using Keepwire.Tests.Decisions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Engine;

/// <summary>
/// A small cluster for engine tests on a fake clock: sites a (300), b (200), c (100); services web (a, b) and
/// mail (b, c), each with one HTTP check (rise 2, fall 2); a single hub, or hub1 (150) and hub2 (100) in a pair.
/// </summary>
internal sealed class EngineHarness
{
    public static readonly IPAddress WebVip = IPAddress.Parse("198.51.100.10");
    public static readonly IPAddress MailVip = IPAddress.Parse("198.51.100.20");

    public EngineHarness(bool pair = false, string self = "hub2", Func<ClusterConfig, ClusterConfig>? adjust = null)
    {
        ServiceConfig Service(string name, IPAddress vip, params string[] sites) =>
            new(name, [vip], [new PortRule(TransportProtocol.Tcp, 443, 443, null)], sites) { Checks = [DeciderHarness.Check] };
        IReadOnlyList<HubNode> hubs = pair ? [DeciderHarness.Hub("hub1", 150), DeciderHarness.Hub("hub2", 100)] : [DeciderHarness.Hub()];
        Config = new ClusterConfig(
            "test.yaml",
            hubs,
            [Site("a", 300, "10.77.0.2"), Site("b", 200, "10.77.0.3"), Site("c", 100, "10.77.0.4")],
            [Service("web", WebVip, "a", "b"), Service("mail", MailVip, "b", "c")])
        {
            HubPair = pair ? HubPairSettings.Default : null,
        };
        if (adjust is not null)
            Config = adjust(Config);
        Self = pair ? Config.FindHub(self)! : Config.Hubs[0];
    }

    public FakeTimeProvider Clock { get; } = new(DeciderHarness.Start);

    public ClusterConfig Config { get; }

    public HubNode Self { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>A site with its own key (the last byte of its address), so a WireGuard reading tells the sites apart.</summary>
    public static SiteNode Site(string name, int priority, string address)
    {
        var tunnel = IPAddress.Parse(address);
        var key = new byte[32];
        key[0] = tunnel.GetAddressBytes()[^1];
        return DeciderHarness.Node(name, priority) with { Tunnel = TunnelAddresses.Host(tunnel, null), PublicKey = WireGuardKey.Parse(Convert.ToBase64String(key)) };
    }

    /// <summary>The hub's WireGuard interface with every site as a peer; only <paramref name="up"/> have completed a handshake (now).</summary>
    public WireGuardReading Handshakes(params string[] up) => new(new WireGuardDeviceState(null, 51820,
        [.. Config.Sites.Select(s => new WireGuardPeerState(s.PublicKey, null, [], up.Contains(s.Name) ? Now : null, 0, 0, 25))]));

    public HubEngine Engine(OperatorIntent? intent = null, IReadOnlyDictionary<string, DecisionRecord>? journal = null) =>
        new(Config, Self, intent ?? OperatorIntent.None, journal ?? new Dictionary<string, DecisionRecord>(), Clock);

    public ProbeObservation Probe(string service, string site, bool success) =>
        ProbeObservation.For(service, success ? CheckResult.Passed(site, "http", Now, "status 200") : CheckResult.Failed(site, "http", Now, "connection refused"));

    /// <summary>Enough results in a row (rise or fall) for every service check of <paramref name="sites"/>.</summary>
    public HubEvidence Results(bool success, params string[] sites) => new()
    {
        Probes = [.. Enumerable.Range(0, success ? DeciderHarness.Check.Rise : DeciderHarness.Check.Fall)
            .SelectMany(_ => Config.Services.SelectMany(s => s.Sites.Where(sites.Contains).Select(site => Probe(s.Name, site, success))))],
    };

    public static VipHolding Holding(bool holds) => holds ? new VipHolding([WebVip, MailVip], []) : new VipHolding([], [WebVip, MailVip]);

    /// <summary>A sync message from hub1 deciding <paramref name="services"/> (site, epoch).</summary>
    public ReceivedSyncMessage FromHub1(bool holdsVips, OperatorIntent? intent, long sequence, params (string Service, string? Site, long Epoch)[] services) =>
        new(new HubSyncMessage("hub1", BootId, sequence, Now, holdsVips,
            [.. services.Select(s => new SyncedDecision(s.Service, s.Site, Now.AddMinutes(-1), s.Epoch, true, DecisionReason.Selected, null))],
            intent ?? OperatorIntent.None), Now, Direct: true);

    private static readonly Guid BootId = Guid.NewGuid();
}
