using System.Globalization;
using System.Text.RegularExpressions;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.Failover;

/// <summary>
/// Random loss on the tunnel path, both ways: a table of the test's own in the hub's namespace that
/// drops a percentage of the WireGuard datagrams arriving at and leaving the hub's public interface
/// (so probes, forwarded traffic, replies and handshakes all suffer it, to and from every site), with
/// counters of the datagrams seen and dropped per direction. The loss is applied to the outer datagrams rather than at the WireGuard
/// interface: a packet the hub itself sends and its own postrouting hook drops fails the sender's
/// sendto with EPERM, which a UDP probe would report as "Permission denied", not as a lost packet;
/// wireguard-go, the sender of the outer datagrams, just loses them.
/// </summary>
public static partial class PacketLoss
{
    public const string TableName = "kwloss";

    public static async Task AddAsync(LabHandle lab, int percent)
    {
        var hub = lab.Topology.Hub;
        var rules = $$"""
            table inet {{TableName}} {
                chain in {
                    type filter hook prerouting priority -300; policy accept;
                    iifname "{{hub.PublicInterface}}" udp dport {{hub.ListenPort}} counter
                    iifname "{{hub.PublicInterface}}" udp dport {{hub.ListenPort}} numgen random mod 100 < {{percent}} counter drop
                }
                chain out {
                    type filter hook postrouting priority 300; policy accept;
                    oifname "{{hub.PublicInterface}}" udp sport {{hub.ListenPort}} counter
                    oifname "{{hub.PublicInterface}}" udp sport {{hub.ListenPort}} numgen random mod 100 < {{percent}} counter drop
                }
            }
            """;
        var added = await lab.ExecAsync("hub", ["nft", "-f", "-"], rules);
        Assert.True(added.Succeeded, $"adding the loss table failed: {added.StandardError}");
    }

    /// <summary>The WireGuard datagrams seen and dropped so far, per direction.</summary>
    public static async Task<LossCounts> CountAsync(LabHandle lab)
    {
        var listing = await lab.ExecAsync("hub", "nft", "list", "table", "inet", TableName);
        Assert.True(listing.Succeeded, $"listing the loss table failed: {listing.StandardError}");
        var counts = Counter().Matches(listing.StandardOutput).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(counts.Count == 4, $"four counters wanted in:\n{listing.StandardOutput}");
        return new LossCounts(counts[0], counts[1], counts[2], counts[3]);
    }

    public static async Task RemoveAsync(LabHandle lab) =>
        await lab.ExecAsync("hub", "nft", "delete", "table", "inet", TableName);

    [GeneratedRegex(@"counter packets (\d+)")]
    private static partial Regex Counter();
}

public sealed record LossCounts(long InSeen, long InDropped, long OutSeen, long OutDropped)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"in {InDropped}/{InSeen} dropped, out {OutDropped}/{OutSeen} dropped");
}
