using System.Security.Cryptography;
using System.Text;
using Keepwire.Model;
using NSec.Cryptography;

namespace Keepwire.Security;

/// <summary>
/// An HMAC-SHA256 key two WireGuard identities share without ever sending it:
/// <c>HKDF-SHA256(ikm = X25519(own private key, peer public key), salt = label, info)</c>. Both ends
/// compute the same secret (Diffie-Hellman) and nobody else can, because nobody else holds either
/// private key. No extra secret to distribute or rotate: it changes when either WireGuard key does.
/// The label names the protocol and its version, so the key of one protocol is never the key of another.
/// </summary>
public sealed class WireGuardDerivedKey : IDisposable
{
    /// <summary>Bytes of an HMAC-SHA256 tag.</summary>
    public const int TagLength = 32;

    private readonly Key _key;

    private WireGuardDerivedKey(Key key) => _key = key;

    /// <param name="peer">Who the peer is, in words, for the error message ("hub hub2").</param>
    /// <exception cref="ArgumentException">The peer's public key is a low-order point (X25519 gives no secret).</exception>
    public static WireGuardDerivedKey Derive(WireGuardKey ownPrivateKey, WireGuardKey peerPublicKey, string label, string info, string peer)
    {
        var secret = Convert.FromBase64String(ownPrivateKey.Base64);
        try
        {
            using var own = Key.Import(KeyAgreementAlgorithm.X25519, secret, KeyBlobFormat.RawPrivateKey);
            var other = PublicKey.Import(KeyAgreementAlgorithm.X25519, Convert.FromBase64String(peerPublicKey.Base64), KeyBlobFormat.RawPublicKey);
            using var shared = KeyAgreementAlgorithm.X25519.Agree(own, other)
                ?? throw new ArgumentException($"{peer}: its public key gives no shared secret (a low-order point); check public_key", nameof(peerPublicKey));
            var key = KeyDerivationAlgorithm.HkdfSha256.DeriveKey(shared, Encoding.UTF8.GetBytes(label), Encoding.UTF8.GetBytes(info), MacAlgorithm.HmacSha256);
            return new WireGuardDerivedKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> into <paramref name="tag"/> (32 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> tag) => MacAlgorithm.HmacSha256.Mac(_key, data, tag);

    /// <summary>Whether <paramref name="tag"/> is the tag of <paramref name="data"/>, compared in constant time.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag)
    {
        Span<byte> expected = stackalloc byte[TagLength];
        Sign(data, expected);
        // Constant time: how many leading bytes matched must not be observable to someone probing with forged tags.
        return tag.Length == TagLength && CryptographicOperations.FixedTimeEquals(expected, tag);
    }

    public void Dispose() => _key.Dispose();
}
