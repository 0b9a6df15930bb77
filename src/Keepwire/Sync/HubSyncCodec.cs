using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keepwire.Sync;

/// <summary>
/// The wire form of a <see cref="HubSyncMessage"/>: <c>"KWHS"</c>, a version byte, compact JSON, and
/// an HMAC-SHA256 tag over everything before it. JSON because the message is small and a person
/// debugging a pair can read it in a capture; the tag, not the transport, makes it trustworthy
/// (sites relay it). Stateless: ordering and freshness are <see cref="HubSyncReplayGuard"/>'s job.
/// </summary>
public sealed class HubSyncCodec(HubSyncKey key)
{
    /// <summary>
    /// Larger datagrams are dropped unread, and a message that would encode larger is refused. Under
    /// the 65,507-byte UDP limit; at roughly 200 bytes a service that is some 300 services.
    /// </summary>
    public const int MaxDatagramBytes = 60_000;

    public const byte Version = 1;

    private const int HeaderLength = 5;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        // A peer of this version never omits a field, so a missing or null one means a broken sender: reject.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static ReadOnlySpan<byte> Magic => "KWHS"u8;

    /// <exception cref="InvalidOperationException">The message would not fit in <see cref="MaxDatagramBytes"/>.</exception>
    public byte[] Encode(HubSyncMessage message)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, JsonOptions);
        var length = HeaderLength + json.Length + HubSyncKey.TagLength;
        if (length > MaxDatagramBytes)
            throw new InvalidOperationException($"hub sync message of {message.Services.Count} services is {length} bytes, over the {MaxDatagramBytes}-byte limit of one datagram");
        var datagram = new byte[length];
        Magic.CopyTo(datagram);
        datagram[Magic.Length] = Version;
        json.CopyTo(datagram.AsSpan(HeaderLength));
        var signed = length - HubSyncKey.TagLength;
        key.Sign(datagram.AsSpan(0, signed), datagram.AsSpan(signed));
        return datagram;
    }

    /// <summary>Checks size, header and tag, then parses. Ordering, freshness and sender are checked later.</summary>
    /// <param name="rejection">Why not, when it returns false; meaningless when it returns true.</param>
    public bool TryDecode(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out HubSyncMessage? message, out HubSyncRejection rejection)
    {
        message = null;
        if (Check(datagram) is { } failed)
        {
            rejection = failed;
            return false;
        }

        rejection = HubSyncRejection.Malformed;
        var json = datagram[HeaderLength..^HubSyncKey.TagLength];
        try
        {
            message = JsonSerializer.Deserialize<HubSyncMessage>(json, JsonOptions);
        }
        catch (JsonException)
        {
            return false;
        }

        if (message is null || !IsWellFormed(message))
        {
            message = null;
            return false;
        }

        return true;
    }

    /// <summary>The checks before parsing; null when they pass.</summary>
    private HubSyncRejection? Check(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length > MaxDatagramBytes)
            return HubSyncRejection.Oversize;
        if (datagram.Length < HeaderLength + HubSyncKey.TagLength || !datagram.StartsWith(Magic) || datagram[Magic.Length] != Version)
            return HubSyncRejection.BadHeader;
        var signed = datagram.Length - HubSyncKey.TagLength;
        return key.Verify(datagram[..signed], datagram[signed..]) ? null : HubSyncRejection.BadTag;
    }

    /// <summary>What the nullable annotations cannot say: no null elements, names present, sequence from 1.</summary>
    private static bool IsWellFormed(HubSyncMessage message) =>
        message.Node.Length > 0
        && message.Sequence > 0
        && message.Services.All(s => s is not null && s.Service.Length > 0)
        && message.Intent.DrainedSites.All(s => s is not null)
        && message.Intent.PinnedSiteByService.Values.All(s => s is not null);
}
