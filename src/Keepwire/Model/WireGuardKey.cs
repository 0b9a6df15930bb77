using NSec.Cryptography;

namespace Keepwire.Model;

/// <summary>
/// A WireGuard Curve25519 key in its base64 text form (44 characters, 32 bytes). Only the canonical spelling is
/// accepted (the one encoding of the bytes, as <c>wg</c> writes it and requires), so two keys are equal exactly
/// when their bytes are, and a key Keepwire accepts is never refused by <c>wg set</c>.
/// </summary>
public readonly record struct WireGuardKey
{
    public const int Length = 32;

    private const int TextLength = 44;

    private WireGuardKey(string base64) => Base64 = base64;

    public string Base64 { get; }

    public static bool TryParse(string? text, out WireGuardKey key) => Check(text, out key) == WireGuardKeyProblem.None;

    /// <summary>Parses <paramref name="text"/>, saying what is wrong with it when it is not a key.</summary>
    /// <param name="key">The key when the text is one; for <see cref="WireGuardKeyProblem.NotCanonical"/>, the same key spelled canonically.</param>
    public static WireGuardKeyProblem Check(string? text, out WireGuardKey key)
    {
        key = default;
        Span<byte> bytes = stackalloc byte[Length + 2];
        if (text is null || text.Length != TextLength || !Convert.TryFromBase64String(text, bytes, out var written) || written != Length)
            return WireGuardKeyProblem.NotAKey;
        // The last character carries 2 bits that no byte uses; base64 decoders ignore them, wg does not.
        var canonical = Convert.ToBase64String(bytes[..Length]);
        key = new WireGuardKey(canonical);
        return canonical == text ? WireGuardKeyProblem.None : WireGuardKeyProblem.NotCanonical;
    }

    public static WireGuardKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException("not a WireGuard key: expected 44 characters of canonical base64 encoding 32 bytes");

    /// <summary>
    /// True for a public key that X25519 cannot agree on a secret with: one of the low-order points of
    /// Curve25519 (all zeros among them). No private key has such a public key, and a peer claiming one
    /// can never complete a handshake.
    /// </summary>
    public bool IsLowOrderPoint
    {
        get
        {
            var bytes = Convert.FromBase64String(Base64);
            var peer = PublicKey.Import(KeyAgreementAlgorithm.X25519, bytes, KeyBlobFormat.RawPublicKey);
            using var probe = Key.Create(KeyAgreementAlgorithm.X25519);
            using var shared = KeyAgreementAlgorithm.X25519.Agree(probe, peer);
            return shared is null;
        }
    }

    public override string ToString() => Base64;
}

/// <summary>What is wrong with the text of a WireGuard key.</summary>
public enum WireGuardKeyProblem
{
    None,

    /// <summary>Not 44 characters of base64 encoding 32 bytes.</summary>
    NotAKey,

    /// <summary>32 bytes, but not spelled the one way base64 spells them (unused bits in the last character set).</summary>
    NotCanonical,
}
