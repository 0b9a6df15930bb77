using Keepwire.Model;
using Keepwire.Security;

namespace Keepwire.Sync;

/// <summary>
/// The key that authenticates hub sync messages: a <see cref="WireGuardDerivedKey"/> of the two hubs'
/// WireGuard keys. The sites that relay the messages hold neither private key, so they can drop, delay
/// or replay a message but never forge or alter one.
/// </summary>
public sealed class HubSyncKey : IDisposable
{
    /// <summary>Names the protocol and its version, so this key is never the key of anything else.</summary>
    private const string Label = "Keepwire hub sync v1";

    /// <summary>Bytes of an HMAC-SHA256 tag.</summary>
    public const int TagLength = WireGuardDerivedKey.TagLength;

    private readonly WireGuardDerivedKey _key;

    private HubSyncKey(WireGuardDerivedKey key) => _key = key;

    /// <summary>
    /// Derives the pair's key. The node names go into the HKDF info in ordinal order, so both hubs
    /// derive the same key; a different pair (other names) never shares one even with reused keys.
    /// </summary>
    /// <exception cref="ArgumentException">The peer's public key is a low-order point (X25519 gives no secret).</exception>
    public static HubSyncKey Derive(WireGuardKey ownPrivateKey, WireGuardKey peerPublicKey, string ownName, string peerName)
    {
        var (first, second) = string.CompareOrdinal(ownName, peerName) <= 0 ? (ownName, peerName) : (peerName, ownName);
        return new HubSyncKey(WireGuardDerivedKey.Derive(ownPrivateKey, peerPublicKey, Label, $"{Label}\n{first}\n{second}", $"hub {peerName}"));
    }

    /// <summary>HMAC-SHA256 of <paramref name="data"/> into <paramref name="tag"/> (32 bytes).</summary>
    internal void Sign(ReadOnlySpan<byte> data, Span<byte> tag) => _key.Sign(data, tag);

    /// <summary>Whether <paramref name="tag"/> is the tag of <paramref name="data"/>, compared in constant time.</summary>
    internal bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> tag) => _key.Verify(data, tag);

    public void Dispose() => _key.Dispose();
}
