using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Keepwire.Security;
using Keepwire.Text;

namespace Keepwire.Reports;

/// <summary>
/// The wire form of a <see cref="SiteReport"/>: <c>"KWSR"</c>, a version byte, compact JSON, and an
/// HMAC-SHA256 tag (<see cref="SiteReportKey"/>) over everything before it; at most
/// <see cref="SiteReport.MaxBytes"/>. Stateless: the source and ordering are the listener's business.
/// </summary>
public static class SiteReportCodec
{
    public const byte Version = 1;

    private const int HeaderLength = 5;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // An agent of this version never omits a field, so a missing or null one means a broken sender: reject.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        MaxDepth = 4,
        // Non-ASCII text as UTF-8, not \uXXXX: a reason in any language keeps its length in bytes. Only we parse it.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = SiteReportJsonContext.Default,
    };

    private static readonly JsonTypeInfo<SiteReport> ReportInfo = JsonOptions.Contract<SiteReport>();

    private static ReadOnlySpan<byte> Magic => "KWSR"u8;

    /// <summary>The signed datagram; a reason too long for one datagram is cut (ending in "…") to the longest that fits.</summary>
    public static byte[] Encode(SiteReport report, WireGuardDerivedKey key)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(report, ReportInfo);
        if (!Fits(json))
            json = Shortened(report);

        var datagram = new byte[HeaderLength + json.Length + WireGuardDerivedKey.TagLength];
        Magic.CopyTo(datagram);
        datagram[Magic.Length] = Version;
        json.CopyTo(datagram.AsSpan(HeaderLength));
        var signed = datagram.Length - WireGuardDerivedKey.TagLength;
        key.Sign(datagram.AsSpan(0, signed), datagram.AsSpan(signed));
        return datagram;
    }

    private static bool Fits(byte[] json) => HeaderLength + json.Length + WireGuardDerivedKey.TagLength <= SiteReport.MaxBytes;

    /// <summary>The report with the longest prefix of its reason that fits (binary search: characters cost 1 to 6 bytes).</summary>
    private static byte[] Shortened(SiteReport report)
    {
        var (fits, tooLong) = (-1, report.Reason.Length);
        byte[]? best = null;
        while (tooLong - fits > 1)
        {
            var keep = (fits + tooLong) / 2;
            // Never half a surrogate pair: an unpaired surrogate is not text.
            var cut = keep > 0 && char.IsHighSurrogate(report.Reason[keep - 1]) ? keep - 1 : keep;
            var json = JsonSerializer.SerializeToUtf8Bytes(report with { Reason = report.Reason[..cut] + "…" }, ReportInfo);
            if (Fits(json))
                (fits, best) = (keep, json);
            else
                tooLong = keep;
        }
        return best ?? throw new ArgumentException($"a report of site {report.Site} does not fit {SiteReport.MaxBytes} bytes even without a reason", nameof(report));
    }

    /// <summary>Checks size, header and tag, then parses. Any bytes in: a report, or a rejection.</summary>
    /// <param name="rejection">Why not, when it returns false; meaningless when it returns true.</param>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, WireGuardDerivedKey key, [NotNullWhen(true)] out SiteReport? report, out SiteReportRejection rejection)
    {
        report = null;
        if (datagram.Length > SiteReport.MaxBytes)
        {
            rejection = SiteReportRejection.Oversize;
            return false;
        }
        if (datagram.Length < HeaderLength + WireGuardDerivedKey.TagLength || !datagram.StartsWith(Magic) || datagram[Magic.Length] != Version)
        {
            rejection = SiteReportRejection.BadHeader;
            return false;
        }
        var signed = datagram.Length - WireGuardDerivedKey.TagLength;
        if (!key.Verify(datagram[..signed], datagram[signed..]))
        {
            rejection = SiteReportRejection.BadTag;
            return false;
        }

        rejection = SiteReportRejection.Malformed;
        try
        {
            report = JsonSerializer.Deserialize(datagram[HeaderLength..signed], ReportInfo);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }

        if (report is not { Site.Length: > 0, Reason: not null, Sequence: > 0 })
        {
            report = null;
            return false;
        }
        return true;
    }
}

/// <summary>The report's JSON, serialized without reflection (the hub runs ahead-of-time compiled).</summary>
[JsonSerializable(typeof(SiteReport))]
internal sealed partial class SiteReportJsonContext : JsonSerializerContext;
