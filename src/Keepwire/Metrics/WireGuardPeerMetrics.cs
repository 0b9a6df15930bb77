using Keepwire.Adapters.WireGuard;
using Keepwire.Model;
using Prometheus;

namespace Keepwire.Metrics;

/// <summary>
/// A WireGuard interface's peers as wireguard_exporter (MindFlavor's) names them: latest handshake as a Unix
/// time (0: none yet; graph <c>time() - wireguard_latest_handshake_seconds</c>), bytes sent and received as
/// counters. Labelled by interface, public key and the peer's name in the config (<c>site</c> on a hub,
/// <c>hub</c> on a site), so they join with a wireguard_exporter running beside.
/// </summary>
internal sealed class WireGuardPeerMetrics
{
    private readonly Gauge _handshake;
    private readonly Counter _sent;
    private readonly Counter _received;
    private readonly Lock _lock = new();
    private readonly HashSet<(string Interface, string Key, string Peer)> _present = [];

    public WireGuardPeerMetrics(IMetricFactory factory, string peerLabel)
    {
        string[] labels = ["interface", "public_key", peerLabel];
        _handshake = factory.CreateGauge(MetricNames.WireGuardLatestHandshake, "Unix time of the peer's latest WireGuard handshake (0: none yet).", labels);
        _sent = factory.CreateCounter(MetricNames.WireGuardSent, "Bytes sent to the peer through WireGuard.", labels);
        _received = factory.CreateCounter(MetricNames.WireGuardReceived, "Bytes received from the peer through WireGuard.", labels);
    }

    /// <summary>Sets every peer of <paramref name="device"/> that the config names (<paramref name="names"/>: public key → name); drops the series of peers gone from this interface.</summary>
    public void Observe(string interfaceName, WireGuardDeviceState? device, IReadOnlyDictionary<WireGuardKey, string> names)
    {
        lock (_lock)
        {
            var seen = new HashSet<(string, string, string)>();
            foreach (var peer in device?.Peers ?? [])
            {
                if (!names.TryGetValue(peer.PublicKey, out var name))
                    continue;
                var key = peer.PublicKey.Base64;
                seen.Add((interfaceName, key, name));
                _handshake.WithLabels(interfaceName, key, name).Set(peer.LatestHandshake?.ToUnixTimeSeconds() ?? 0);
                Follow(_sent, peer.TransmittedBytes, interfaceName, key, name);
                Follow(_received, peer.ReceivedBytes, interfaceName, key, name);
            }
            foreach (var gone in _present.Where(p => p.Interface == interfaceName && !seen.Contains(p)).ToList())
            {
                _handshake.RemoveLabelled(gone.Interface, gone.Key, gone.Peer);
                _sent.RemoveLabelled(gone.Interface, gone.Key, gone.Peer);
                _received.RemoveLabelled(gone.Interface, gone.Key, gone.Peer);
                _present.Remove(gone);
            }
            _present.UnionWith(seen);
        }
    }

    /// <summary>
    /// The kernel's counter as a Prometheus counter. It restarts with the interface (a restarted wireguard-go); a
    /// counter cannot go down, so the series starts again from zero, which rate() reads as the reset it is.
    /// </summary>
    private static void Follow(Counter counter, long value, params string[] labels)
    {
        if (counter.WithLabels(labels).Value > value)
            counter.RemoveLabelled(labels);
        counter.WithLabels(labels).IncTo(value);
    }
}
