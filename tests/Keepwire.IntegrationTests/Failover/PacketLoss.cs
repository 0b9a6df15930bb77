using System.Globalization;
using System.Text.RegularExpressions;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Random loss on the hub's end of the tunnel, both ways: a table of the test's own in the hub's
/// namespace that drops a percentage of the packets going into and coming out of the WireGuard
/// interface (the probes, the forwarded traffic and its replies), with a counter per direction.
/// </summary>
public static partial class PacketLoss
{
    public const string TableName = "kwloss";

    public static async Task AddAsync(LabHandle lab, int percent)
    {
        var wg = lab.Topology.Hub.WireGuardInterface;
        var rules = $$"""
            table inet {{TableName}} {
                chain in {
                    type filter hook prerouting priority -300; policy accept;
                    iifname "{{wg}}" numgen random mod 100 < {{percent}} counter drop
                }
                chain out {
                    type filter hook postrouting priority 300; policy accept;
                    oifname "{{wg}}" numgen random mod 100 < {{percent}} counter drop
                }
            }
            """;
        var added = await lab.ExecAsync("hub", ["nft", "-f", "-"], rules);
        Assert.True(added.Succeeded, $"adding the loss table failed: {added.StandardError}");
    }

    /// <summary>Packets dropped so far: (into the hub from the tunnel, out of the hub into it).</summary>
    public static async Task<(long In, long Out)> DroppedAsync(LabHandle lab)
    {
        var listing = await lab.ExecAsync("hub", "nft", "list", "table", "inet", TableName);
        Assert.True(listing.Succeeded, $"listing the loss table failed: {listing.StandardError}");
        var counts = Counter().Matches(listing.StandardOutput).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts.Count == 2, $"two counters wanted in:\n{listing.StandardOutput}");
        return (counts[0], counts[1]);
    }

    public static async Task RemoveAsync(LabHandle lab) =>
        await lab.ExecAsync("hub", "nft", "delete", "table", "inet", TableName);

    [GeneratedRegex(@"counter packets (\d+)")]
    private static partial Regex Counter();
}
