using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// GETs <see cref="CheckDefinition.Path"/> from the site and is healthy when the status is in range
/// and the body contains <see cref="CheckDefinition.BodyContains"/> (if set). Every probe opens a
/// fresh connection (no pooling, Connection: close): a kept-alive connection would keep succeeding
/// after the path for new connections broke, which is exactly what failover must notice.
/// </summary>
public sealed class HttpHealthCheck : HealthCheck
{
    /// <summary>Only the start of the body is searched, so a huge page cannot slow the probe down.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private readonly HttpClient client;

    public HttpHealthCheck(CheckDefinition definition, TimeProvider time)
        : base(definition, time)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{host}:{RequirePort(80)}{Definition.Path}"));
        request.Headers.ConnectionClose = true;
        if (Definition.Host is { } hostHeader)
            request.Headers.Host = hostHeader;
        request.Headers.UserAgent.ParseAdd("keepwire-health");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (status < Definition.StatusMin || status > Definition.StatusMax)
            return (false, $"status {status} (expected {Definition.StatusMin}-{Definition.StatusMax})");
        if (Definition.BodyContains is not { } expected)
            return (true, $"status {status}");

        var body = await ReadStartAsync(response.Content, cancellationToken);
        return body.Contains(expected, StringComparison.Ordinal)
            ? (true, $"status {status}")
            : (false, $"status {status} but the body does not contain \"{expected}\"");
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            total += read;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            client.Dispose();
        base.Dispose(disposing);
    }
}
