using System.IO.Compression;
using System.Text.Json;
using CsCheck;
using Keepwire.Sync;
using Keepwire.Tests.Sync;
using Xunit.Abstractions;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The hub sync codec and assembler on hostile input: any datagram on the sync port, and anything a peer
/// holding the pair's key could sign (parts numbered wrongly, chunks that do not inflate, JSON that is almost
/// a message). The receive path answers with a message, a part kept or a rejection, and never throws; the
/// parts it keeps stay within <see cref="HubSyncAssembler.MaxPending"/> messages.
/// </summary>
public sealed class SyncCodecFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
    private readonly SyncFixture _pair = new();

    [Fact]
    public void Any_datagram_from_anyone_is_a_rejection_never_an_exception()
    {
        var valid = Assert.Single(_pair.Hub1Codec.Encode(SyncFixture.Message()));
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);

        // One assembler for every sample, as the receive loop keeps one: state must not make it throw either.
        FuzzBudget.Run(HostileInput.Payloads(valid, HubSyncCodec.MaxDatagramBytes + 64), datagram =>
        {
            HubSyncAssembly assembly;
            lock (assembler)
                assembly = assembler.Add(datagram, direct: false);
            if (assembly.Message is not null && !datagram.AsSpan().SequenceEqual(valid))
                throw new InvalidOperationException("an altered datagram made a message");
        }, output);
    }

    [Fact]
    public void Signed_parts_with_any_numbering_and_any_chunk_are_kept_or_rejected_never_an_exception()
    {
        var assembler = new HubSyncAssembler(_pair.Hub2Codec);
        var parts = Gen.Select(
            Gen.Long[-2, 40],
            Gen.Int[0, 5],
            Gen.Int[0, 6],
            HostileInput.Bytes(HubSyncCodec.ChunkBytes),
            (sequence, index, count, chunk) => HubSyncCodecTests.Part(_pair.Hub1Key, chunk, SyncFixture.BootA, sequence, index, count));

        FuzzBudget.Run(parts, part =>
        {
            lock (assembler)
                assembler.Add(part, direct: true);
        }, output);
    }

    [Fact]
    public void Signed_messages_of_almost_valid_json_are_a_message_or_malformed_never_an_exception()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(SyncFixture.Message(), Web);

        FuzzBudget.Run(HostileInput.Payloads(json, 4096), payload =>
        {
            if (HubSyncCodec.TryDecodeMessage(Deflate(payload), SyncFixture.BootA, 1, out var message, out var rejection))
            {
                if (message.Node.Length == 0 || message.Services.Any(s => s is null))
                    throw new InvalidOperationException("accepted a message the hub cannot use");
            }
            else if (rejection != HubSyncRejection.Malformed)
            {
                throw new InvalidOperationException($"unexpected rejection {rejection}");
            }
        }, output);
    }

    [Fact]
    public void A_payload_that_inflates_beyond_the_limit_is_refused_without_inflating_it_whole()
    {
        // 64 MiB of zeros deflate to some 64 KB: a compression bomb within the part limit.
        var bomb = Deflate(new byte[64 * 1024 * 1024]);
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.False(HubSyncCodec.TryDecodeMessage(bomb, SyncFixture.BootA, 1, out _, out var rejection));

        Assert.Equal(HubSyncRejection.Malformed, rejection);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 4 * HubSyncCodec.MaxMessageBytes);
    }

    private static byte[] Deflate(byte[] payload)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(payload);
        return compressed.ToArray();
    }

    public void Dispose() => _pair.Dispose();
}
