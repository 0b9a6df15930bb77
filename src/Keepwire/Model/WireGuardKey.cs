namespace Keepwire.Model;

/// <summary>A WireGuard Curve25519 key in its base64 text form (44 characters, 32 bytes).</summary>
public readonly record struct WireGuardKey
{
    public const int Length = 32;

    private WireGuardKey(string base64) => Base64 = base64;

    public string Base64 { get; }

    public static bool TryParse(string? text, out WireGuardKey key)
    {
        key = default;
        if (text is null || text.Length != 44)
            return false;
        var bytes = new byte[Length + 2];
        if (!Convert.TryFromBase64String(text, bytes, out var written) || written != Length)
            return false;
        key = new WireGuardKey(text);
        return true;
    }

    public static WireGuardKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException("not a WireGuard key: expected 44 characters of base64 encoding 32 bytes");

    public override string ToString() => Base64;
}
