using System.Text;
using Keepwire.Configuration;
using Keepwire.Sync;

namespace Keepwire.Tests.Sync;

public sealed class HubSyncCodecTests : IDisposable
{
    private readonly SyncFixture _pair = new();

    [Fact]
    public void What_one_hub_encodes_the_other_decodes_unchanged()
    {
        var sent = SyncFixture.Message();

        var datagram = _pair.Hub1Codec.Encode(sent);

        Assert.True(_pair.Hub2Codec.TryDecode(datagram, out var received, out _));
        Assert.Equal((sent.Node, sent.BootId, sent.Sequence, sent.SentAt, sent.HoldsVips), (received.Node, received.BootId, received.Sequence, received.SentAt, received.HoldsVips));
        Assert.Equal(sent.Services, received.Services);
        Assert.Equal(sent.Intent.DrainedSites, received.Intent.DrainedSites);
        Assert.Equal(sent.Intent.PinnedSiteByService, received.Intent.PinnedSiteByService);
    }

    [Fact]
    public void Both_hubs_derive_the_same_key_whichever_way_round()
    {
        var reply = _pair.Hub2Codec.Encode(SyncFixture.Message(node: "hub2"));

        Assert.True(_pair.Hub1Codec.TryDecode(reply, out var message, out _));
        Assert.Equal("hub2", message.Node);
    }

    [Fact]
    public void Changing_any_byte_is_detected()
    {
        var datagram = _pair.Hub1Codec.Encode(SyncFixture.Message());

        for (var i = 0; i < datagram.Length; i++)
        {
            var tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;

            Assert.False(_pair.Hub2Codec.TryDecode(tampered, out _, out var rejection), $"byte {i} changed, still accepted");
            Assert.Equal(i < 5 ? HubSyncRejection.BadHeader : HubSyncRejection.BadTag, rejection);
        }
    }

    [Fact]
    public void Cutting_or_extending_the_datagram_is_detected()
    {
        var datagram = _pair.Hub1Codec.Encode(SyncFixture.Message());

        Assert.False(_pair.Hub2Codec.TryDecode(datagram.AsSpan(0, datagram.Length - 1), out _, out var shorter));
        Assert.False(_pair.Hub2Codec.TryDecode([.. datagram, 0], out _, out var longer));
        Assert.False(_pair.Hub2Codec.TryDecode(datagram.AsSpan(0, 20), out _, out var stump));

        Assert.Equal(HubSyncRejection.BadTag, shorter);
        Assert.Equal(HubSyncRejection.BadTag, longer);
        Assert.Equal(HubSyncRejection.BadHeader, stump);
    }

    [Fact]
    public void A_relaying_site_cannot_forge_a_message()
    {
        // The site knows both hubs' public keys and its own private key: the best key it can make.
        var site = KeyPair.Generate();
        using var forgedKey = HubSyncKey.Derive(site.PrivateKey, _pair.Hub2.PublicKey, "hub1", "hub2");

        var forged = new HubSyncCodec(forgedKey).Encode(SyncFixture.Message());

        Assert.False(_pair.Hub2Codec.TryDecode(forged, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadTag, rejection);
    }

    [Fact]
    public void Another_pair_with_the_same_keys_but_other_names_has_another_key()
    {
        using var otherPair = HubSyncKey.Derive(_pair.Hub1.PrivateKey, _pair.Hub2.PublicKey, "edge1", "edge2");

        var datagram = new HubSyncCodec(otherPair).Encode(SyncFixture.Message());

        Assert.False(_pair.Hub2Codec.TryDecode(datagram, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadTag, rejection);
    }

    [Fact]
    public void Another_version_is_refused_before_the_tag_is_checked()
    {
        var datagram = _pair.Hub1Codec.Encode(SyncFixture.Message());
        datagram[4] = HubSyncCodec.Version + 1;

        Assert.False(_pair.Hub2Codec.TryDecode(datagram, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadHeader, rejection);
    }

    [Fact]
    public void Oversize_datagrams_are_dropped_unread_and_never_sent()
    {
        Assert.False(_pair.Hub2Codec.TryDecode(new byte[HubSyncCodec.MaxDatagramBytes + 1], out _, out var rejection));
        Assert.Equal(HubSyncRejection.Oversize, rejection);

        var services = Enumerable.Range(0, 1000).Select(i => SyncFixture.Message().Services[0] with { Service = $"service-{i:0000}" }).ToList();
        var huge = SyncFixture.Message() with { Services = services };
        var error = Assert.Throws<InvalidOperationException>(() => _pair.Hub1Codec.Encode(huge));
        Assert.Contains("1000 services", error.Message);
    }

    [Fact]
    public void An_authentic_but_incomplete_message_is_malformed()
    {
        // Signed with the right key, but missing the services: a broken sender, not an attacker.
        var json = Encoding.UTF8.GetBytes("""{"node":"hub1","bootId":"0b0b0b0b-0000-4000-8000-000000000001","sequence":1,"sentAt":"2025-01-01T12:00:00+00:00","holdsVips":true,"intent":{"pinnedSiteByService":{},"drainedSites":[]}}""");
        var datagram = new byte[5 + json.Length + HubSyncKey.TagLength];
        "KWHS"u8.CopyTo(datagram);
        datagram[4] = HubSyncCodec.Version;
        json.CopyTo(datagram, 5);
        _pair.Hub1Key.Sign(datagram.AsSpan(0, datagram.Length - HubSyncKey.TagLength), datagram.AsSpan(datagram.Length - HubSyncKey.TagLength));

        Assert.False(_pair.Hub2Codec.TryDecode(datagram, out _, out var rejection));
        Assert.Equal(HubSyncRejection.Malformed, rejection);
    }

    [Fact]
    public void The_derived_key_does_not_depend_on_which_hub_derives_it()
    {
        var third = KeyPair.Generate();
        using var a = HubSyncKey.Derive(third.PrivateKey, _pair.Hub1.PublicKey, "x", "hub1");
        using var b = HubSyncKey.Derive(_pair.Hub1.PrivateKey, third.PublicKey, "hub1", "x");
        Span<byte> tagA = stackalloc byte[HubSyncKey.TagLength];
        Span<byte> tagB = stackalloc byte[HubSyncKey.TagLength];

        a.Sign("same data"u8, tagA);
        b.Sign("same data"u8, tagB);

        Assert.True(tagA.SequenceEqual(tagB));
        Assert.True(b.Verify("same data"u8, tagA));
        Assert.False(b.Verify("other data"u8, tagA));
    }

    public void Dispose() => _pair.Dispose();
}
