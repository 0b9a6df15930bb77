using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Keepwire.Configuration;
using Keepwire.State;
using Keepwire.Sync;

namespace Keepwire.Tests.Sync;

public sealed class HubSyncCodecTests : IDisposable
{
    private readonly SyncFixture _pair = new();

    [Fact]
    public void What_one_hub_encodes_the_other_decodes_unchanged()
    {
        var sent = SyncFixture.Message();

        var received = Decode(_pair.Hub2Codec, _pair.Hub1Codec.Encode(sent));

        Assert.NotNull(received);
        Assert.Equal((sent.Node, sent.BootId, sent.Sequence, sent.SentAt, sent.HoldsVips), (received.Node, received.BootId, received.Sequence, received.SentAt, received.HoldsVips));
        Assert.Equal(sent.Services, received.Services);
        Assert.Equal(sent.Intent.DrainedSites, received.Intent.DrainedSites);
        Assert.Equal(sent.Intent.PinnedSiteByService, received.Intent.PinnedSiteByService);
    }

    [Fact]
    public void The_intents_revision_goes_across_and_a_peer_that_sends_none_sends_revision_0()
    {
        var sent = SyncFixture.Message() with { Intent = OperatorIntent.None.WithPin("web", "b").RevisedAbove(6) };
        Assert.Equal(7, Decode(_pair.Hub2Codec, _pair.Hub1Codec.Encode(sent))!.Intent.Revision);

        // A peer of the release before revisions: the same version of the protocol, without the field.
        var json = """{"node":"hub1","bootId":"0b0b0b0b-0000-4000-8000-000000000001","sequence":1,"sentAt":"2025-01-01T12:00:00+00:00","holdsVips":true,"services":[],"intent":{"pinnedSiteByService":{"web":"b"},"drainedSites":[]}}""";
        var assembly = new HubSyncAssembler(_pair.Hub2Codec).Add(Part(_pair.Hub1Key, Deflate(json), SyncFixture.BootA, 1), direct: true);
        Assert.Null(assembly.Rejection);
        Assert.Equal((0L, "b"), (assembly.Message!.Intent.Revision, assembly.Message.Intent.PinnedSiteByService["web"]));

        var negative = json.Replace("\"drainedSites\":[]", "\"drainedSites\":[],\"revision\":-1", StringComparison.Ordinal);
        Assert.Equal(HubSyncRejection.Malformed, new HubSyncAssembler(_pair.Hub2Codec).Add(Part(_pair.Hub1Key, Deflate(negative), SyncFixture.BootA, 1), direct: true).Rejection);
    }

    [Fact]
    public void Both_hubs_derive_the_same_key_whichever_way_round()
    {
        var reply = _pair.Hub2Codec.Encode(SyncFixture.Message(node: "hub2"));

        Assert.Equal("hub2", Decode(_pair.Hub1Codec, reply)?.Node);
    }

    [Fact]
    public void Changing_any_byte_of_a_part_is_detected()
    {
        var datagram = Assert.Single(_pair.Hub1Codec.Encode(SyncFixture.Message()));

        for (var i = 0; i < datagram.Length; i++)
        {
            var tampered = (byte[])datagram.Clone();
            tampered[i] ^= 0x01;

            Assert.False(_pair.Hub2Codec.TryDecodePart(tampered, out _, out var rejection), $"byte {i} changed, still accepted");
            Assert.Equal(i < 5 ? HubSyncRejection.BadHeader : HubSyncRejection.BadTag, rejection);
        }
    }

    [Fact]
    public void Cutting_or_extending_a_part_is_detected()
    {
        var datagram = Assert.Single(_pair.Hub1Codec.Encode(SyncFixture.Message()));

        Assert.False(_pair.Hub2Codec.TryDecodePart(datagram.AsSpan(0, datagram.Length - 1), out _, out var shorter));
        Assert.False(_pair.Hub2Codec.TryDecodePart([.. datagram, 0], out _, out var longer));
        Assert.False(_pair.Hub2Codec.TryDecodePart(datagram.AsSpan(0, 20), out _, out var stump));

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

        var forged = Assert.Single(new HubSyncCodec(forgedKey).Encode(SyncFixture.Message()));

        Assert.False(_pair.Hub2Codec.TryDecodePart(forged, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadTag, rejection);
    }

    [Fact]
    public void Another_pair_with_the_same_keys_but_other_names_has_another_key()
    {
        using var otherPair = HubSyncKey.Derive(_pair.Hub1.PrivateKey, _pair.Hub2.PublicKey, "edge1", "edge2");

        var datagram = Assert.Single(new HubSyncCodec(otherPair).Encode(SyncFixture.Message()));

        Assert.False(_pair.Hub2Codec.TryDecodePart(datagram, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadTag, rejection);
    }

    [Fact]
    public void Another_version_is_refused_before_the_tag_is_checked()
    {
        var datagram = Assert.Single(_pair.Hub1Codec.Encode(SyncFixture.Message()));
        datagram[4] = HubSyncCodec.Version + 1;

        Assert.False(_pair.Hub2Codec.TryDecodePart(datagram, out _, out var rejection));
        Assert.Equal(HubSyncRejection.BadHeader, rejection);
    }

    [Fact]
    public void Every_part_fits_one_tunnel_packet_and_oversize_datagrams_are_dropped_unread()
    {
        var parts = _pair.Hub1Codec.Encode(HubSyncScaleTests.Large(1000, SyncFixture.Start));

        Assert.All(parts, p => Assert.InRange(p.Length, 1, 1280 - 48));
        Assert.False(_pair.Hub2Codec.TryDecodePart(new byte[HubSyncCodec.MaxDatagramBytes + 1], out _, out var rejection));
        Assert.Equal(HubSyncRejection.Oversize, rejection);
    }

    [Fact]
    public void A_state_beyond_the_protocols_limits_is_refused_when_encoding_with_an_error_naming_its_size()
    {
        // Random names do not compress: 8,000 services named by 32 random bytes each need more than MaxParts parts.
        var random = new Random(7);
        var services = Enumerable.Range(0, 8000)
            .Select(i => SyncFixture.Message().Services[0] with { Service = Convert.ToHexString(Enumerable.Range(0, 32).Select(_ => (byte)random.Next(256)).ToArray()) })
            .ToList();

        var error = Assert.Throws<HubSyncTooLargeException>(() => _pair.Hub1Codec.Encode(SyncFixture.Message() with { Services = services }));

        Assert.Contains("8000 services", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authentic_but_incomplete_message_is_malformed()
    {
        // Signed with the right key, but missing the services: a broken sender, not an attacker.
        var json = """{"node":"hub1","bootId":"0b0b0b0b-0000-4000-8000-000000000001","sequence":1,"sentAt":"2025-01-01T12:00:00+00:00","holdsVips":true,"intent":{"pinnedSiteByService":{},"drainedSites":[]}}""";

        var assembly = new HubSyncAssembler(_pair.Hub2Codec).Add(Part(_pair.Hub1Key, Deflate(json), SyncFixture.BootA, 1), direct: true);

        Assert.Equal(HubSyncRejection.Malformed, assembly.Rejection);
    }

    [Fact]
    public void A_message_whose_header_disagrees_with_its_content_is_malformed()
    {
        var json = Encoding.UTF8.GetString(JsonOf(SyncFixture.Message(sequence: 5)));

        var assembly = new HubSyncAssembler(_pair.Hub2Codec).Add(Part(_pair.Hub1Key, Deflate(json), SyncFixture.BootA, 6), direct: true);

        Assert.Equal(HubSyncRejection.Malformed, assembly.Rejection);
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

    /// <summary>Every part through a fresh assembler, in order; the message once complete.</summary>
    internal static HubSyncMessage? Decode(HubSyncCodec codec, IReadOnlyList<byte[]> parts)
    {
        var assembler = new HubSyncAssembler(codec);
        HubSyncMessage? message = null;
        foreach (var part in parts)
        {
            var assembly = assembler.Add(part, direct: true);
            Assert.Null(assembly.Rejection);
            message ??= assembly.Message;
        }
        return message;
    }

    /// <summary>One signed part of any payload, header as the codec writes it: what only a hub could send.</summary>
    internal static byte[] Part(HubSyncKey key, ReadOnlySpan<byte> chunk, Guid boot, long sequence, int index = 0, int count = 1)
    {
        var datagram = new byte[33 + chunk.Length + HubSyncKey.TagLength];
        "KWHS"u8.CopyTo(datagram);
        datagram[4] = HubSyncCodec.Version;
        boot.TryWriteBytes(datagram.AsSpan(5, 16));
        BinaryPrimitives.WriteInt64BigEndian(datagram.AsSpan(21), sequence);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(29), (ushort)index);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(31), (ushort)count);
        chunk.CopyTo(datagram.AsSpan(33));
        key.Sign(datagram.AsSpan(0, datagram.Length - HubSyncKey.TagLength), datagram.AsSpan(datagram.Length - HubSyncKey.TagLength));
        return datagram;
    }

    internal static byte[] Deflate(string json)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(Encoding.UTF8.GetBytes(json));
        return compressed.ToArray();
    }

    private byte[] JsonOf(HubSyncMessage message)
    {
        // What the codec compresses: inflate its single part back.
        var part = Assert.Single(_pair.Hub1Codec.Encode(message));
        using var inflate = new DeflateStream(new MemoryStream(part[33..^HubSyncKey.TagLength]), CompressionMode.Decompress);
        using var json = new MemoryStream();
        inflate.CopyTo(json);
        return json.ToArray();
    }

    public void Dispose() => _pair.Dispose();
}
