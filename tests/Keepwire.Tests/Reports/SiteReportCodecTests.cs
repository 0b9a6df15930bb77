using System.Text;
using Keepwire.Configuration;
using Keepwire.Reports;
using Keepwire.Security;

namespace Keepwire.Tests.Reports;

public sealed class SiteReportCodecTests : IDisposable
{
    private readonly ReportKeys _keys = new();

    [Fact]
    public void The_site_and_the_hub_derive_the_same_key_so_what_the_site_signs_the_hub_reads()
    {
        var sent = ReportKeys.Report();

        Assert.True(SiteReportCodec.TryDecode(SiteReportCodec.Encode(sent, _keys.SiteSide), _keys.HubSide, out var received, out _));
        Assert.Equal(sent, received);
    }

    [Fact]
    public void Changing_any_byte_is_detected()
    {
        var datagram = SiteReportCodec.Encode(ReportKeys.Report(), _keys.SiteSide);

        for (var i = 0; i < datagram.Length; i++)
        {
            var tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;

            Assert.False(SiteReportCodec.TryDecode(tampered, _keys.HubSide, out _, out var rejection), $"byte {i} changed, still accepted");
            Assert.Equal(i < 5 ? SiteReportRejection.BadHeader : SiteReportRejection.BadTag, rejection);
        }
    }

    [Fact]
    public void Someone_on_the_site_without_its_private_key_cannot_sign_for_it()
    {
        // The best a local user on the site can do: its own key pair with the hub's public key.
        var intruder = KeyPair.Generate();
        using var forged = SiteReportKey.ForSite(intruder.PrivateKey, _keys.Hub.PublicKey, "hub", "alpha");

        Assert.False(SiteReportCodec.TryDecode(SiteReportCodec.Encode(ReportKeys.Report(), forged), _keys.HubSide, out _, out var rejection));
        Assert.Equal(SiteReportRejection.BadTag, rejection);
    }

    [Fact]
    public void In_a_pair_a_report_signed_for_one_hub_does_not_pass_at_the_other()
    {
        var hub2 = KeyPair.Generate();
        using var forHub2 = SiteReportKey.ForSite(_keys.Site.PrivateKey, hub2.PublicKey, "hub2", "alpha");

        Assert.False(SiteReportCodec.TryDecode(SiteReportCodec.Encode(ReportKeys.Report(), forHub2), _keys.HubSide, out _, out var rejection));
        Assert.Equal(SiteReportRejection.BadTag, rejection);
    }

    [Fact]
    public void An_unsigned_report_of_an_older_agent_is_refused_by_its_header()
    {
        var old = Encoding.UTF8.GetBytes("""{"site":"alpha","healthy":false,"reason":"spoofed","sequence":1}""");

        Assert.False(SiteReportCodec.TryDecode(old, _keys.HubSide, out _, out var rejection));
        Assert.Equal(SiteReportRejection.BadHeader, rejection);
    }

    [Fact]
    public void A_reason_too_long_for_one_datagram_is_shortened_and_still_signed()
    {
        // Three bytes a character in UTF-8: the reason alone is far over the limit.
        var sent = ReportKeys.Report(reason: new string('€', 3000));

        var datagram = SiteReportCodec.Encode(sent, _keys.SiteSide);

        Assert.InRange(datagram.Length, 1, SiteReport.MaxBytes);
        Assert.True(SiteReportCodec.TryDecode(datagram, _keys.HubSide, out var received, out _));
        Assert.EndsWith("€…", received.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversize_datagrams_are_refused_unread()
    {
        Assert.False(SiteReportCodec.TryDecode(new byte[SiteReport.MaxBytes + 1], _keys.HubSide, out _, out var rejection));
        Assert.Equal(SiteReportRejection.Oversize, rejection);
    }

    [Fact]
    public void An_authentic_but_incomplete_report_is_malformed()
    {
        var json = Encoding.UTF8.GetBytes("""{"site":"alpha","healthy":false,"bootId":"5e5e5e5e-0000-4000-8000-000000000001","sequence":1,"sentAt":"2026-01-01T00:00:00+00:00"}""");

        Assert.False(SiteReportCodec.TryDecode(Signed(json, _keys.SiteSide), _keys.HubSide, out _, out var rejection));
        Assert.Equal(SiteReportRejection.Malformed, rejection);
    }

    /// <summary>Any payload behind a valid header and tag: what a site holding its key could send.</summary>
    internal static byte[] Signed(ReadOnlySpan<byte> json, WireGuardDerivedKey key)
    {
        var datagram = new byte[5 + json.Length + WireGuardDerivedKey.TagLength];
        "KWSR"u8.CopyTo(datagram);
        datagram[4] = SiteReportCodec.Version;
        json.CopyTo(datagram.AsSpan(5));
        key.Sign(datagram.AsSpan(0, datagram.Length - WireGuardDerivedKey.TagLength), datagram.AsSpan(datagram.Length - WireGuardDerivedKey.TagLength));
        return datagram;
    }

    public void Dispose() => _keys.Dispose();
}
