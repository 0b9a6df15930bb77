using System.Text;
using System.Text.Json;

namespace Keepwire.Reports;

/// <summary>
/// What a site agent tells the hub about itself, as one UDP datagram sent through the tunnel to
/// the hub's tunnel address. The hub believes it because of where it comes from: WireGuard only
/// delivers a packet from a site's tunnel address if it was encrypted with that site's key.
/// The site name inside is informational; the hub never trusts it.
/// </summary>
public sealed record SiteReport(string Site, bool Healthy, string Reason, long Sequence)
{
    /// <summary>The UDP port the hub listens on, on its tunnel addresses only.</summary>
    public const int Port = 51821;

    /// <summary>Datagrams larger than this are dropped unread.</summary>
    public const int MaxBytes = 2048;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public byte[] Serialize() => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this, JsonOptions));

    public static SiteReport? TryParse(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxBytes)
            return null;
        try
        {
            var report = JsonSerializer.Deserialize<SiteReport>(datagram, JsonOptions);
            return report is { Reason: not null } ? report : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
