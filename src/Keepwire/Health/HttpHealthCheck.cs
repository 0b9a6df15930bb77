using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Decisions;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// GETs <see cref="CheckDefinition.Path"/> from the site and is healthy when the status is in range
/// and the body contains <see cref="CheckDefinition.BodyContains"/> (if set). Every probe opens a
/// fresh connection (Connection: close): a kept-alive connection would keep succeeding after the path
/// for new connections broke, which is exactly what failover must notice.
/// </summary>
/// <remarks>
/// HTTP/1.1 straight over a socket rather than through HttpClient: a probe needs one request line and a
/// status, and at ten probes a second per check the client's per-request machinery (handler, pool,
/// headers objects, content stream) is most of the cost. Buffers come from the shared pool and are
/// bounded (<see cref="MaxHeaderBytes"/>, <see cref="MaxBodyBytes"/>); the socket is the only descriptor.
/// Without <c>expect_body</c> the probe stops reading at the status line.
/// </remarks>
public sealed class HttpHealthCheck(CheckDefinition definition, TimeProvider time) : HealthCheck(definition, time)
{
    /// <summary>Only the start of the body is searched, so a huge page cannot slow the probe down.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Status line and headers longer than this are cut off; the body is then searched in what fits.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Enough for a status line, when only the status matters.</summary>
    private const int StatusOnlyBytes = 1024;

    private byte[]? request;
    private IPAddress? requestAddress;

    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        var port = RequirePort(ProbeSpec.DefaultHttpPort);
        var wantBody = Definition.BodyContains is not null;
        var buffer = ArrayPool<byte>.Shared.Rent(wantBody ? MaxHeaderBytes + MaxBodyBytes : StatusOnlyBytes);
        try
        {
            using var socket = ProbeSockets.Open(address, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken);
            await socket.SendAsync(RequestFor(address, port), SocketFlags.None, cancellationToken);

            var received = 0;
            var endOfStream = false;
            while (true)
            {
                if (received < buffer.Length && !endOfStream)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, cancellationToken);
                    received += read;
                    endOfStream = read == 0;
                }

                var full = received == buffer.Length;
                if (!HttpProbeResponse.TryReadHead(buffer.AsSpan(0, received), out var head))
                {
                    if (endOfStream || full)
                        return (false, received == 0 ? "connection closed before a response" : "response ended inside its status line");
                    continue;
                }

                if (head.Status < Definition.StatusMin || head.Status > Definition.StatusMax)
                    return (false, $"status {head.Status} (expected {Definition.StatusMin}-{Definition.StatusMax})");
                if (!wantBody)
                    return (true, $"status {head.Status}");
                if (head.BodyStart < 0)
                {
                    if (endOfStream || full)
                        return (false, $"status {head.Status} but the response ended inside its headers");
                    continue;
                }

                if (Judge(buffer.AsSpan(0, received), head, endOfStream || full) is { } verdict)
                    return verdict;
            }
        }
        catch (FormatException e)
        {
            return (false, e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The verdict on the body once it is complete (or as complete as it gets); null to read on.</summary>
    private (bool Success, string Detail)? Judge(ReadOnlySpan<byte> received, HttpProbeResponse.Head head, bool noMore)
    {
        var decoded = ArrayPool<byte>.Shared.Rent(MaxBodyBytes);
        try
        {
            var body = HttpProbeResponse.Body(received, head, noMore, decoded.AsSpan(0, MaxBodyBytes), out var complete);
            var expected = Definition.BodyContains!;
            if (Encoding.UTF8.GetString(body).Contains(expected, StringComparison.Ordinal))
                return (true, $"status {head.Status}");
            if (!complete)
                return null;
            return (false, $"status {head.Status} but the body does not contain \"{expected}\"");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    /// <summary>The request bytes, built once per address (the Host header names it unless <c>host</c> is set).</summary>
    private byte[] RequestFor(IPAddress address, int port)
    {
        if (request is { } cached && address.Equals(requestAddress))
            return cached;
        var host = Definition.Host ?? HostHeader(address, port);
        var text = $"GET {RequestTarget(Definition.Path)} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: keepwire-health\r\nAccept: */*\r\nConnection: close\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(text);
        (request, requestAddress) = (bytes, address);
        return bytes;
    }

    private static string HostHeader(IPAddress address, int port)
    {
        var literal = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return port == ProbeSpec.DefaultHttpPort ? literal : $"{literal}:{port}";
    }

    /// <summary>The path as it goes on the request line: what is not printable ASCII percent-encoded (UTF-8), as a browser would.</summary>
    internal static string RequestTarget(string path)
    {
        var target = new StringBuilder(path.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in path.EnumerateRunes())
        {
            if (rune.Value is > 0x20 and < 0x7f)
            {
                target.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
                target.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return target.ToString();
    }
}
