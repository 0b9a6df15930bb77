namespace Keepwire.Adapters.Nftables;

/// <summary>
/// One element of an nftables set or map in canonical text form, as it is written in an
/// <c>add element</c> statement: <c>198.51.100.10 . tcp . 443</c> mapped to <c>10.77.0.2 . 8443</c>,
/// or a set member such as <c>10.0.0.0/8</c>. The renderer and the JSON reader both produce this
/// form, so desired and actual elements compare as plain strings.
/// </summary>
/// <param name="Key">The element (for a set) or the map key.</param>
/// <param name="Value">The mapped value; null for a set element.</param>
public sealed record NftElement(string Key, string? Value = null)
{
    /// <summary>The element as nft reads it inside <c>{ … }</c>.</summary>
    public override string ToString() => Value is null ? Key : $"{Key} : {Value}";
}
