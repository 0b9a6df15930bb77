using Keepwire.Adapters.WireGuard;
using Keepwire.Model;

namespace Keepwire.Tests.Fakes;

/// <summary>WireGuard interfaces in memory: what was applied is what a read returns; handshakes are whatever the test says.</summary>
internal sealed class FakeWireGuard : IWireGuard
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, WireGuardDeviceSpec?> _devices = [];
    private readonly Dictionary<WireGuardKey, DateTimeOffset> _handshakes = [];

    /// <summary>Times a device was read (the hub reads it for handshakes and status).</summary>
    public int Reads { get; private set; }

    /// <summary>The peer with <paramref name="key"/> completed a handshake at <paramref name="at"/>.</summary>
    public void Handshake(WireGuardKey key, DateTimeOffset at)
    {
        lock (_lock)
            _handshakes[key] = at;
    }

    public Task<bool> EnsureInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_devices.TryAdd(name, null));
    }

    public Task<WireGuardDeviceState?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Reads++;
            if (!_devices.TryGetValue(name, out var spec))
                return Task.FromResult<WireGuardDeviceState?>(null);
            IReadOnlyList<WireGuardPeerState> peers = spec is null ? [] : [.. spec.Peers.Select(p => new WireGuardPeerState(
                p.PublicKey, p.Endpoint, p.AllowedIps, _handshakes.TryGetValue(p.PublicKey, out var at) ? at : null, 0, 0, p.PersistentKeepalive))];
            return Task.FromResult<WireGuardDeviceState?>(new WireGuardDeviceState(spec?.PublicKey, spec?.ListenPort ?? 0, peers));
        }
    }

    public Task<bool> ApplyAsync(string name, WireGuardDeviceSpec spec, WireGuardDeviceState? current = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var changed = !_devices.TryGetValue(name, out var old) || old is null || old.ListenPort != spec.ListenPort || !old.Peers.SequenceEqual(spec.Peers, PeerComparer.Instance);
            _devices[name] = spec;
            return Task.FromResult(changed);
        }
    }

    public Task<bool> DeleteInterfaceAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_devices.Remove(name));
    }

    private sealed class PeerComparer : IEqualityComparer<WireGuardPeerSpec>
    {
        public static readonly PeerComparer Instance = new();

        public bool Equals(WireGuardPeerSpec? x, WireGuardPeerSpec? y) =>
            x is not null && y is not null && x.PublicKey == y.PublicKey && x.AllowedIps.SequenceEqual(y.AllowedIps) && Equals(x.Endpoint, y.Endpoint);

        public int GetHashCode(WireGuardPeerSpec obj) => obj.PublicKey.GetHashCode();
    }
}
