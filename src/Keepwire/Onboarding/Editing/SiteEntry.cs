using System.Globalization;
using System.Net;
using Keepwire.Model;

namespace Keepwire.Onboarding.Editing;

/// <summary>
/// A site as <c>keepwire site add</c> writes it into the configuration: only the keys it sets, in the
/// order the reference lists them, so the new entry reads like one written by hand.
/// </summary>
/// <param name="Comment">Written after the public key, on the same line (block style only).</param>
public sealed record SiteEntry(string Name, WireGuardKey PublicKey, int? Priority, SiteMode Mode, IPAddress? TunnelIPv4, IPAddress? TunnelIPv6, string? Comment)
{
    /// <summary>The entry as block-style lines, the first one opening with <c>- </c>.</summary>
    public IReadOnlyList<string> BlockLines()
    {
        var fields = Fields();
        if (Comment is not null)
            fields[1] += $"  # {Comment}";
        return fields;
    }

    /// <summary>The entry as one flow mapping, for files whose sites are written <c>- { name: …, … }</c>.</summary>
    public string FlowMapping() => "{ " + string.Join(", ", Fields()) + " }";

    private List<string> Fields()
    {
        List<string> fields = [$"name: {Name}", $"public_key: {YamlScalars.Quoted(PublicKey.Base64)}"];
        if (Priority is { } priority)
            fields.Add($"priority: {priority.ToString(CultureInfo.InvariantCulture)}");
        if (Mode == SiteMode.Snat)
            fields.Add("mode: snat");
        if (Tunnel() is { } tunnel)
            fields.Add($"tunnel: {tunnel}");
        return fields;
    }

    private string? Tunnel()
    {
        List<string> fields = [];
        if (TunnelIPv4 is { } ipv4)
            fields.Add($"ipv4: {ipv4}");
        if (TunnelIPv6 is { } ipv6)
            fields.Add($"ipv6: {YamlScalars.Quoted(ipv6.ToString())}");
        return fields.Count == 0 ? null : "{ " + string.Join(", ", fields) + " }";
    }
}
