using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Keepwire.Model;

namespace Keepwire.Onboarding.Tokens;

/// <summary>
/// What <c>keepwire join</c> needs to enrol a site, as one string to paste: where the hub's join listener
/// is, the hub's public key (the site checks the hub's answer against it), the site's name, when the token
/// expires, and a one-time secret that authenticates both directions of the exchange (HMAC). It carries no
/// private key: the site makes its own and sends only the public half. Layout (then base64url, prefixed
/// <c>kw1.</c>): version, expiry (unix seconds), id (8 bytes), secret (32), hub public key (32), endpoint and
/// site name (each a length byte and UTF-8).
/// </summary>
public sealed record JoinToken(HostEndpoint JoinEndpoint, WireGuardKey HubPublicKey, string SiteName, DateTimeOffset ExpiresAt, string Id, byte[] Secret)
{
    public const string Prefix = "kw1.";
    public const int IdLength = 8;
    public const int SecretLength = 32;
    private const byte Version = 1;

    /// <summary>A fresh token: a random id and secret.</summary>
    public static JoinToken Create(HostEndpoint joinEndpoint, WireGuardKey hubPublicKey, string siteName, DateTimeOffset expiresAt) =>
        new(joinEndpoint, hubPublicKey, siteName, expiresAt, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength)), RandomNumberGenerator.GetBytes(SecretLength));

    public string Encode()
    {
        var endpoint = Encoding.UTF8.GetBytes(JoinEndpoint.ToString());
        var site = Encoding.UTF8.GetBytes(SiteName);
        var data = new List<byte> { Version };
        var expiry = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(expiry, ExpiresAt.ToUnixTimeSeconds());
        data.AddRange(expiry);
        data.AddRange(Convert.FromHexString(Id));
        data.AddRange(Secret);
        data.AddRange(Convert.FromBase64String(HubPublicKey.Base64));
        data.Add((byte)endpoint.Length);
        data.AddRange(endpoint);
        data.Add((byte)site.Length);
        data.AddRange(site);
        return Prefix + Base64Url.EncodeToString([.. data]);
    }

    /// <exception cref="FormatException">Not a join token; the message says what is wrong with it.</exception>
    public static JoinToken Decode(string text)
    {
        text = text.Trim();
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            throw new FormatException($"not a Keepwire join token: it should start with '{Prefix}' (copy the whole command `keepwire site add` printed)");
        byte[] data;
        try
        {
            data = Base64Url.DecodeFromChars(text.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            throw new FormatException("not a Keepwire join token: it is cut short or has characters a token never has (copy it again, in one piece)");
        }

        var reader = new TokenReader(data);
        if (reader.Byte() != Version)
            throw new FormatException("this join token is from another version of Keepwire; use the keepwire of the hub's version, or make a new token");
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(reader.Int64());
        var id = Convert.ToHexStringLower(reader.Bytes(IdLength));
        var secret = reader.Bytes(SecretLength);
        var hubKey = WireGuardKey.Parse(Convert.ToBase64String(reader.Bytes(WireGuardKey.Length)));
        var endpointText = reader.Text();
        var site = reader.Text();
        reader.End();
        if (OptionSyntax.Endpoint(endpointText, out _) is not { } endpoint)
            throw new FormatException($"the join token names no valid hub endpoint ('{endpointText}'); make a new token");
        return new JoinToken(endpoint, hubKey, site, expiresAt, id, secret);
    }

    /// <summary>Never shows the secret.</summary>
    public override string ToString() => $"JoinToken {{ Site = {SiteName}, JoinEndpoint = {JoinEndpoint}, ExpiresAt = {ExpiresAt:u}, Id = {Id} }}";

    private ref struct TokenReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public byte Byte() => Bytes(1)[0];

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Bytes(8));

        public string Text() => Encoding.UTF8.GetString(Bytes(Byte()));

        public byte[] Bytes(int count)
        {
            if (_rest.Length < count)
                throw new FormatException("not a Keepwire join token: it is cut short (copy it again, in one piece)");
            var bytes = _rest[..count].ToArray();
            _rest = _rest[count..];
            return bytes;
        }

        public readonly void End()
        {
            if (_rest.Length != 0)
                throw new FormatException("not a Keepwire join token: it has extra characters at the end (copy it again, exactly)");
        }
    }
}
