using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Keepwire.Model;
using NSec.Cryptography;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// Parses a userspace WireGuard device's answer to <c>get=1</c>: <c>key=value</c> lines, keys in hex, the device's
/// settings first, then each peer from its <c>public_key</c> line on, and <c>errno=N</c> last. The device reports its
/// private key, not its public one: the public key is derived here (X25519, as <c>wg</c> does) and the private
/// key's bytes are zeroed at once; the preshared keys are skipped.
/// </summary>
internal static class WireGuardUapiParser
{
    public static WireGuardDeviceState Parse(string answer)
    {
        WireGuardKey? publicKey = null;
        var listenPort = 0;
        int? errno = null;
        var peers = new List<WireGuardPeerState>();
        PeerDraft? peer = null;

        foreach (var line in answer.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
                throw new FormatException($"WireGuard device answer: not a key=value line: '{Printable(line)}'");
            var key = line[..separator];
            var value = line[(separator + 1)..];
            switch (key)
            {
                case "private_key":
                    publicKey = PublicKeyOf(value);
                    break;
                case "listen_port":
                    listenPort = Number(key, value);
                    break;
                case "public_key":
                    if (peer is not null)
                        peers.Add(peer.Build());
                    peer = new PeerDraft(Key(value));
                    break;
                case "endpoint":
                    Peer(peer, key).Endpoint = IPEndPoint.Parse(value);
                    break;
                case "allowed_ip":
                    Peer(peer, key).AllowedIps.Add(IPNetwork.Parse(value));
                    break;
                case "last_handshake_time_sec":
                    var seconds = long.Parse(value, CultureInfo.InvariantCulture);
                    Peer(peer, key).LatestHandshake = seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
                    break;
                case "rx_bytes":
                    Peer(peer, key).ReceivedBytes = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "tx_bytes":
                    Peer(peer, key).TransmittedBytes = long.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "persistent_keepalive_interval":
                    Peer(peer, key).PersistentKeepalive = Number(key, value);
                    break;
                case "errno":
                    errno = Number(key, value);
                    break;
                default:
                    // fwmark, preshared_key, protocol_version, last_handshake_time_nsec and whatever a newer device adds.
                    break;
            }
        }

        if (errno is null)
            throw new FormatException("WireGuard device answer: no errno line (cut short?)");
        if (errno != 0)
            throw new IOException($"the WireGuard device refused get=1 with errno {errno}");
        if (peer is not null)
            peers.Add(peer.Build());
        return new WireGuardDeviceState(publicKey, listenPort, peers);
    }

    private static WireGuardKey PublicKeyOf(string privateKeyHex)
    {
        var secret = Convert.FromHexString(privateKeyHex);
        try
        {
            using var key = NSec.Cryptography.Key.Import(KeyAgreementAlgorithm.X25519, secret, KeyBlobFormat.RawPrivateKey);
            return WireGuardKey.Parse(Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static WireGuardKey Key(string hex) => WireGuardKey.Parse(Convert.ToBase64String(Convert.FromHexString(hex)));

    private static int Number(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"WireGuard device answer: {key}={Printable(value)} is not a number");

    private static PeerDraft Peer(PeerDraft? peer, string key) =>
        peer ?? throw new FormatException($"WireGuard device answer: {key} before any public_key");

    private static string Printable(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private sealed class PeerDraft(WireGuardKey publicKey)
    {
        public IPEndPoint? Endpoint { get; set; }

        public List<IPNetwork> AllowedIps { get; } = [];

        public DateTimeOffset? LatestHandshake { get; set; }

        public long ReceivedBytes { get; set; }

        public long TransmittedBytes { get; set; }

        public int PersistentKeepalive { get; set; }

        public WireGuardPeerState Build() =>
            new(publicKey, Endpoint, AllowedIps, LatestHandshake, ReceivedBytes, TransmittedBytes, PersistentKeepalive);
    }
}
