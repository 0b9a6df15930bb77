using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Keepwire.Decisions;
using Keepwire.Text;

namespace Keepwire.Sync;

/// <summary>
/// The wire form of a <see cref="HubSyncMessage"/>: compact JSON, deflated, cut into parts that each fit
/// one tunnel packet, every part its own datagram and signed on its own:
/// <c>"KWHS" | version | boot id (16) | sequence (8) | part (2) | parts (2) | chunk | HMAC-SHA256 tag (32)</c>.
/// JSON because a person debugging a pair can still read it (inflate the chunks); compressed because
/// service names and timestamps repeat; parts no larger than a packet because a lost IP fragment loses the
/// whole datagram, and so that the whole state scales past one datagram (a thousand services and their pins
/// are 15 parts, 17 KB). Signing each part lets the receiver drop a forged one before it keeps anything.
/// Stateless: putting parts together is <see cref="HubSyncAssembler"/>'s job, ordering and freshness
/// <see cref="HubSyncReplayGuard"/>'s.
/// </summary>
public sealed class HubSyncCodec(HubSyncKey key)
{
    public const byte Version = 2;

    /// <summary>
    /// Payload bytes per part. With the header, the tag and IPv6 and UDP headers a part's packet stays under
    /// 1,280 bytes (IPv6's minimum MTU), so it crosses a WireGuard tunnel (MTU 1420) or any IPv6 path without
    /// fragmentation.
    /// </summary>
    public const int ChunkBytes = 1150;

    /// <summary>Most parts one message may have: some 150 KB compressed, several thousand services.</summary>
    public const int MaxParts = 128;

    /// <summary>Most bytes a message's JSON may inflate to; more is refused (a compression bomb from a broken peer).</summary>
    public const int MaxMessageBytes = 4 * 1024 * 1024;

    private const int HeaderLength = 4 + 1 + 16 + 8 + 2 + 2;

    /// <summary>Larger datagrams are dropped unread.</summary>
    public const int MaxDatagramBytes = HeaderLength + ChunkBytes + HubSyncKey.TagLength;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // Generic, not JsonStringEnumConverter(), which makes its generic converter by reflection.
        Converters = { new JsonStringEnumConverter<DecisionReason>() },
        // A peer of this version never omits a field, so a missing or null one means a broken sender: reject.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        MaxDepth = 8,
        TypeInfoResolver = HubSyncJsonContext.Default,
    };

    private static readonly JsonTypeInfo<HubSyncMessage> MessageInfo = JsonOptions.Contract<HubSyncMessage>();

    private static ReadOnlySpan<byte> Magic => "KWHS"u8;

    /// <summary>The datagrams of <paramref name="message"/>, in order; each is sent on its own.</summary>
    /// <exception cref="HubSyncTooLargeException">The message needs more than <see cref="MaxParts"/> parts.</exception>
    public IReadOnlyList<byte[]> Encode(HubSyncMessage message)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, MessageInfo);
        if (json.Length > MaxMessageBytes)
            throw new HubSyncTooLargeException(message.Services.Count, json.Length, $"{MaxMessageBytes} bytes of JSON");
        var payload = Deflate(json);
        var count = Math.Max(1, (payload.Length + ChunkBytes - 1) / ChunkBytes);
        if (count > MaxParts)
            throw new HubSyncTooLargeException(message.Services.Count, payload.Length, $"{MaxParts} parts of {ChunkBytes} bytes compressed");

        var parts = new byte[count][];
        for (var index = 0; index < count; index++)
        {
            var chunk = payload.AsSpan(index * ChunkBytes, Math.Min(ChunkBytes, payload.Length - index * ChunkBytes));
            var datagram = new byte[HeaderLength + chunk.Length + HubSyncKey.TagLength];
            WriteHeader(datagram, message.BootId, message.Sequence, index, count);
            chunk.CopyTo(datagram.AsSpan(HeaderLength));
            var signed = datagram.Length - HubSyncKey.TagLength;
            key.Sign(datagram.AsSpan(0, signed), datagram.AsSpan(signed));
            parts[index] = datagram;
        }
        return parts;
    }

    /// <summary>Checks size, header, tag and part numbering of one datagram; copies its chunk out.</summary>
    /// <param name="rejection">Why not, when it returns false; meaningless when it returns true.</param>
    public bool TryDecodePart(ReadOnlySpan<byte> datagram, out HubSyncPart part, out HubSyncRejection rejection)
    {
        part = default;
        if (datagram.Length > MaxDatagramBytes)
        {
            rejection = HubSyncRejection.Oversize;
            return false;
        }
        if (datagram.Length < HeaderLength + HubSyncKey.TagLength || !datagram.StartsWith(Magic) || datagram[Magic.Length] != Version)
        {
            rejection = HubSyncRejection.BadHeader;
            return false;
        }
        var signed = datagram.Length - HubSyncKey.TagLength;
        if (!key.Verify(datagram[..signed], datagram[signed..]))
        {
            rejection = HubSyncRejection.BadTag;
            return false;
        }

        var header = datagram[(Magic.Length + 1)..HeaderLength];
        var boot = new Guid(header[..16]);
        var sequence = BinaryPrimitives.ReadInt64BigEndian(header[16..24]);
        var index = BinaryPrimitives.ReadUInt16BigEndian(header[24..26]);
        var count = BinaryPrimitives.ReadUInt16BigEndian(header[26..28]);
        if (sequence <= 0 || count is 0 or > MaxParts || index >= count)
        {
            rejection = HubSyncRejection.Malformed;
            return false;
        }

        rejection = default;
        part = new HubSyncPart(boot, sequence, index, count, datagram[HeaderLength..signed].ToArray());
        return true;
    }

    /// <summary>Inflates and parses a whole message's payload (every chunk, in order), checking it against its parts' header.</summary>
    public static bool TryDecodeMessage(ReadOnlySpan<byte> payload, Guid boot, long sequence, [NotNullWhen(true)] out HubSyncMessage? message, out HubSyncRejection rejection)
    {
        message = null;
        if (Inflate(payload) is not { } json)
        {
            rejection = HubSyncRejection.Malformed;
            return false;
        }

        rejection = HubSyncRejection.Malformed;
        try
        {
            message = JsonSerializer.Deserialize(json, MessageInfo);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }

        if (message is null || !IsWellFormed(message) || message.BootId != boot || message.Sequence != sequence)
        {
            message = null;
            return false;
        }

        return true;
    }

    private static void WriteHeader(Span<byte> datagram, Guid boot, long sequence, int index, int count)
    {
        Magic.CopyTo(datagram);
        datagram[Magic.Length] = Version;
        var header = datagram[(Magic.Length + 1)..HeaderLength];
        boot.TryWriteBytes(header[..16]);
        BinaryPrimitives.WriteInt64BigEndian(header[16..24], sequence);
        BinaryPrimitives.WriteUInt16BigEndian(header[24..26], (ushort)index);
        BinaryPrimitives.WriteUInt16BigEndian(header[26..28], (ushort)count);
    }

    private static byte[] Deflate(byte[] json)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(json);
        return compressed.ToArray();
    }

    /// <summary>The inflated bytes, or null when they are not deflate data or inflate to more than <see cref="MaxMessageBytes"/>.</summary>
    private static byte[]? Inflate(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray(), writable: false);
            using var inflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = inflate.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxMessageBytes)
                    return null;
                output.Write(buffer, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>What the nullable annotations cannot say: no null elements, names present, sequence from 1, no negative revision.</summary>
    private static bool IsWellFormed(HubSyncMessage message) =>
        message.Node.Length > 0
        && message.Sequence > 0
        && message.Intent.Revision >= 0
        && message.Services.All(s => s is not null && s.Service.Length > 0)
        && message.Intent.DrainedSites.All(s => s is not null)
        && message.Intent.PinnedSiteByService.Values.All(s => s is not null);
}

/// <summary>One authenticated datagram of a sync message: which message (boot, sequence), which part of how many, and its bytes.</summary>
public readonly record struct HubSyncPart(Guid BootId, long Sequence, int Index, int Count, byte[] Chunk);

/// <summary>This hub's state does not fit the sync protocol's limits; the peer would not hear it.</summary>
public sealed class HubSyncTooLargeException(int services, int bytes, string limit)
    : InvalidOperationException($"hub sync message of {services} services is {bytes} bytes, over the limit of {limit}");

/// <summary>The sync message's JSON, serialized without reflection (the hub runs ahead-of-time compiled).</summary>
[JsonSerializable(typeof(HubSyncMessage))]
internal sealed partial class HubSyncJsonContext : JsonSerializerContext;
