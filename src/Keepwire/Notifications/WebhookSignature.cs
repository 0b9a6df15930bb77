using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Keepwire.Notifications;

/// <summary>
/// Signs a webhook's body so its receiver can tell it came from this hub and is fresh: HMAC-SHA256 with the
/// shared secret over "TIMESTAMP.BODY", where TIMESTAMP (Unix seconds) is also sent in its own header. A
/// receiver recomputes the MAC, compares it in constant time, and refuses a timestamp more than
/// <see cref="Tolerance"/> away from its clock, so a captured request cannot be replayed later.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-Keepwire-Timestamp";
    public const string SignatureHeader = "X-Keepwire-Signature";
    public const string Scheme = "sha256=";

    /// <summary>How far a receiver should accept the timestamp from its own clock.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>"sha256=HEX" over "<paramref name="timestamp"/>." followed by <paramref name="body"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return Scheme + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: the signature matches and the timestamp is within <see cref="Tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string timestampHeader, string signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > Tolerance.TotalSeconds)
            return false;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader));
    }
}
