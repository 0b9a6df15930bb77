using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Keepwire.Health;

/// <summary>
/// Reads an HTTP/1.x response from the bytes received so far, just far enough to judge a probe: the status line
/// and, when the body is wanted, the body up to what fits in the buffer (de-chunked). Pure, so every framing case
/// is a unit test. Interim 1xx responses (103 Early Hints) are skipped.
/// </summary>
internal static class HttpProbeResponse
{
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Where the final response starts, its status, and where its headers end (-1 while incomplete).</summary>
    public readonly record struct Head(int Status, int BodyStart);

    /// <summary>
    /// The final response's status once its status line has arrived (<paramref name="head"/>.BodyStart is -1
    /// until the headers are complete too); false while the status line is incomplete.
    /// </summary>
    /// <exception cref="FormatException">What arrived is not an HTTP/1.x response.</exception>
    public static bool TryReadHead(ReadOnlySpan<byte> received, out Head head)
    {
        var offset = 0;
        while (true)
        {
            var rest = received[offset..];
            var lineEnd = rest.IndexOf(LineEnd);
            if (lineEnd < 0)
            {
                // A status line has a bounded length: a long run of bytes without one is not HTTP.
                if (rest.Length > 1024 || (rest.Length >= 5 && !rest.StartsWith("HTTP/"u8)))
                    throw new FormatException("not an HTTP response");
                head = default;
                return false;
            }

            var status = ParseStatusLine(rest[..lineEnd]);
            var headerEnd = rest.IndexOf(HeaderEnd);
            var bodyStart = headerEnd < 0 ? -1 : offset + headerEnd + HeaderEnd.Length;
            if (status is < 100 or > 199 || status == 101)
            {
                head = new Head(status, bodyStart);
                return true;
            }

            if (bodyStart < 0)
            {
                head = default;
                return false;
            }
            offset = bodyStart;
        }
    }

    /// <summary>
    /// The body of the response whose head is <paramref name="head"/>, as far as it has arrived, and whether it is
    /// complete (by Content-Length, the last chunk, or <paramref name="endOfStream"/>). A chunked body is decoded
    /// into <paramref name="decoded"/>; otherwise the body is a slice of <paramref name="received"/>.
    /// </summary>
    public static ReadOnlySpan<byte> Body(ReadOnlySpan<byte> received, Head head, bool endOfStream, Span<byte> decoded, out bool complete)
    {
        var headers = received[..head.BodyStart];
        var body = received[head.BodyStart..];
        if (HeaderValue(headers, "transfer-encoding") is { } encoding && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var length = Dechunk(body, decoded, out complete);
            complete |= endOfStream;
            return decoded[..length];
        }

        if (HeaderValue(headers, "content-length") is { } value && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var contentLength))
        {
            complete = endOfStream || body.Length >= contentLength;
            return body[..(int)Math.Min(body.Length, contentLength)];
        }

        complete = endOfStream;
        return body;
    }

    private static int ParseStatusLine(ReadOnlySpan<byte> line)
    {
        // "HTTP/1.1 200 OK": the version, one space, three digits, then a space or the end.
        var space = line.IndexOf((byte)' ');
        if (!line.StartsWith("HTTP/"u8) || space < 0 || line.Length < space + 4
            || !Utf8Parser.TryParse(line.Slice(space + 1, 3), out int status, out var consumed) || consumed != 3
            || (line.Length > space + 4 && line[space + 4] != (byte)' ')
            || status < 100 || status > 599)
            throw new FormatException($"not an HTTP status line: \"{Printable(line)}\"");
        return status;
    }

    /// <summary>The value of the first header named <paramref name="name"/> (ASCII, case-insensitive), trimmed.</summary>
    private static string? HeaderValue(ReadOnlySpan<byte> headers, string name)
    {
        var rest = headers[(headers.IndexOf(LineEnd) + LineEnd.Length)..];
        while (rest.Length > 0)
        {
            var end = rest.IndexOf(LineEnd);
            var line = end < 0 ? rest : rest[..end];
            var colon = line.IndexOf((byte)':');
            if (colon == name.Length && Ascii.EqualsIgnoreCase(line[..colon], name))
                return Encoding.ASCII.GetString(line[(colon + 1)..]).Trim();
            if (end < 0)
                break;
            rest = rest[(end + LineEnd.Length)..];
        }
        return null;
    }

    /// <summary>Decodes chunks while they are complete and fit; true in <paramref name="complete"/> at the last chunk.</summary>
    private static int Dechunk(ReadOnlySpan<byte> body, Span<byte> output, out bool complete)
    {
        var written = 0;
        complete = false;
        while (true)
        {
            var lineEnd = body.IndexOf(LineEnd);
            if (lineEnd < 0)
                return written;
            var sizeText = body[..lineEnd];
            var extension = sizeText.IndexOf((byte)';');
            if (extension >= 0)
                sizeText = sizeText[..extension];
            if (!int.TryParse(Encoding.ASCII.GetString(sizeText).Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new FormatException("malformed chunked body");
            if (size == 0)
            {
                complete = true;
                return written;
            }

            var data = body[(lineEnd + LineEnd.Length)..];
            var take = Math.Min(Math.Min(size, data.Length), output.Length - written);
            data[..take].CopyTo(output[written..]);
            written += take;
            if (take < size || data.Length < size + LineEnd.Length)
            {
                // The chunk goes on beyond what arrived or what fits: full output counts as complete (only the start is searched).
                complete = written == output.Length;
                return written;
            }
            body = data[(size + LineEnd.Length)..];
        }
    }

    private static string Printable(ReadOnlySpan<byte> line)
    {
        var text = Encoding.ASCII.GetString(line[..Math.Min(line.Length, 60)]);
        return new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
    }
}
