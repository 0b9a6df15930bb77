using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Keepwire.Onboarding.Join;

/// <summary>
/// A site's request to join: its name, its new public key and a fresh nonce, authenticated with the
/// token's secret. The hub answers only a request whose MAC it can verify with a token it issued.
/// </summary>
/// <param name="Token">The token's id: which secret to verify with.</param>
public sealed record JoinRequest(int Version, string Token, string Site, string PublicKey, string Nonce, string Mac)
{
    public const int CurrentVersion = 1;

    public static JoinRequest Create(string tokenId, byte[] secret, string site, string publicKey)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return new JoinRequest(CurrentVersion, tokenId, site, publicKey, nonce, JoinMac.Compute(secret, RequestText(tokenId, site, publicKey, nonce)));
    }

    public bool Verify(byte[] secret) => JoinMac.Verify(secret, RequestText(Token, Site, PublicKey, Nonce), Mac);

    private static string RequestText(string tokenId, string site, string publicKey, string nonce) =>
        $"keepwire-join-v1 request\n{tokenId}\n{site}\n{publicKey}\n{nonce}";
}

/// <summary>
/// The hub's answer. A success carries the site's own configuration (the hubs and the site itself) and a MAC
/// over it and the request's nonce, so the site knows it comes from the hub that issued the token and
/// answers this request. A refusal carries the reason only: it may come before the hub knows which secret to use.
/// </summary>
public sealed record JoinResponse(bool Ok, string? Error, string? Config, string? Mac)
{
    public static JoinResponse Refused(string error) => new(false, error, null, null);

    public static JoinResponse Accepted(byte[] secret, string nonce, string config) =>
        new(true, null, config, JoinMac.Compute(secret, ResponseText(nonce, config)));

    public bool Verify(byte[] secret, string nonce) => Config is not null && Mac is not null && JoinMac.Verify(secret, ResponseText(nonce, Config), Mac);

    private static string ResponseText(string nonce, string config) => $"keepwire-join-v1 response\n{nonce}\n{config}";
}

/// <summary>HMAC-SHA256 keyed with the token's secret; compared in constant time.</summary>
internal static class JoinMac
{
    public static string Compute(byte[] secret, string text) => Convert.ToBase64String(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(text)));

    public static bool Verify(byte[] secret, string text, string mac)
    {
        Span<byte> given = stackalloc byte[64];
        if (!Convert.TryFromBase64String(mac, given, out var length) || length != HMACSHA256.HashSizeInBytes)
            return false;
        return CryptographicOperations.FixedTimeEquals(given[..length], HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(text)));
    }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinResponse))]
internal sealed partial class JoinJson : JsonSerializerContext;
