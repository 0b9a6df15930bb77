using System.Security.Cryptography;
using Keepwire.Model;
using NSec.Cryptography;

namespace Keepwire.Configuration;

/// <summary>A WireGuard (Curve25519) key pair.</summary>
public sealed record KeyPair(WireGuardKey PrivateKey, WireGuardKey PublicKey)
{
    /// <summary>A fresh key pair, the same as <c>wg genkey | wg pubkey</c>: 32 random bytes, clamped, and their X25519 public key.</summary>
    public static KeyPair Generate()
    {
        var secret = RandomNumberGenerator.GetBytes(WireGuardKey.Length);
        try
        {
            Clamp(secret);
            var privateKey = WireGuardKey.Parse(Convert.ToBase64String(secret));
            return new KeyPair(privateKey, PublicKeyOf(secret));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>The public key of a private key, as <c>wg pubkey</c> computes it.</summary>
    public static WireGuardKey PublicKeyOf(WireGuardKey privateKey)
    {
        var secret = Convert.FromBase64String(privateKey.Base64);
        try
        {
            return PublicKeyOf(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Never prints the private key, so a logged or printed pair leaks nothing.</summary>
    public override string ToString() => $"KeyPair {{ PublicKey = {PublicKey} }}";

    private static WireGuardKey PublicKeyOf(byte[] secret)
    {
        // X25519 clamps the scalar itself, so clamped and unclamped private keys give the same public key, as in wg.
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, secret, KeyBlobFormat.RawPrivateKey);
        return WireGuardKey.Parse(Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
    }

    /// <summary>Curve25519 clamping, as WireGuard stores private keys.</summary>
    private static void Clamp(byte[] secret)
    {
        secret[0] &= 248;
        secret[31] &= 127;
        secret[31] |= 64;
    }
}
