using System.Security.Cryptography;
using System.Text;
using Keepwire.Model;
using NSec.Cryptography;

namespace Keepwire.Sync;

/// <summary>
/// The key that authenticates hub sync messages: HKDF-SHA256 over X25519(own WireGuard private key,
/// peer WireGuard public key). Both hubs compute the same secret (Diffie-Hellman), and nobody else
/// can: the sites that relay the messages hold neither private key, so they can drop, delay or
/// replay a message but never forge or alter one. No extra secret to distribute or rotate: it
/// changes when a hub's WireGuard key does.
/// </summary>
public sealed class HubSyncKey : IDisposable
{
    /// <summary>Names the protocol and its version, so this key is never the key of anything else.</summary>
    private const string Label = "Keepwire hub sync v1";

    /// <summary>Bytes of an HMAC-SHA256 tag.</summary>
    public const int TagLength = 32;

    private readonly Key _key;

    private HubSyncKey(Key key) => _key = key;

    /// <summary>
    /// Derives the pair's key. The node names go into the HKDF info in ordinal order, so both hubs
    /// derive the same key; a different pair (other names) never shares one even with reused keys.
    /// </summary>
    /// <exception cref="ArgumentException">The peer's public key is a low-order point (X25519 gives no secret).</exception>
    public static HubSyncKey Derive(WireGuardKey ownPrivateKey, WireGuardKey peerPublicKey, string ownName, string peerName)
    {
        var secret = Convert.FromBase64String(ownPrivateKey.Base64);
        try
        {
            using var own = Key.Import(KeyAgreementAlgorithm.X25519, secret, KeyBlobFormat.RawPrivateKey);
            var peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, Convert.FromBase64String(peerPublicKey.Base64), KeyBlobFormat.RawPublicKey);
            using var shared = KeyAgreementAlgorithm.X25519.Agree(own, peer)
                ?? throw new ArgumentException($"hub {peerName}: its public key gives no shared secret (a low-order point); check public_key", nameof(peerPublicKey));
            var (first, second) = string.CompareOrdinal(ownName, peerName) <= 0 ? (ownName, peerName) : (peerName, ownName);
            var info = Encoding.UTF8.GetBytes($"{Label}\n{first}\n{second}");
            var key = KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, Encoding.UTF8.GetBytes(Label), info, MacAlgorithm.HmacSha256);
            return new HubSyncKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> into <paramref name="tag"/> (32 bytes).</summary>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> tag) => MacAlgorithm.HmacSha256.Mac(_key, data, tag);

    /// <summary>Whether <paramref name="tag"/> is the tag of <paramref name="data"/>, compared in constant time.</summary>
    internal bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[TagLength];
        Sign(data, expected);
        // Constant time: how many leading bytes matched must not be observable to someone probing with forged tags.
        return tag.Length == TagLength && CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    public void Dispose() => _key.Dispose();
}
