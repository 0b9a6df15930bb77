using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Keepwire.Onboarding.Tokens;

namespace Keepwire.Onboarding.Join;

/// <summary>The site's side of the exchange: one request line to the hub's join port, one answer line back.</summary>
public static class JoinClient
{
    public const int MaxResponseBytes = 256 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RefusedRetry = TimeSpan.FromSeconds(3);

    /// <exception cref="JoinException">The hub could not be reached or did not answer sensibly.</exception>
    public static async Task<JoinResponse> ExchangeAsync(JoinToken token, JoinRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var where = $"the hub's join port {token.JoinEndpoint} (tcp)";
        try
        {
            using var client = await ConnectAsync(token, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, JoinJson.Default.JoinRequest) + "\n"), timeout.Token);
            var line = await ReadLineAsync(stream, timeout.Token)
                ?? throw new JoinException($"{where} closed the connection without an answer; is the token for this hub, and is the hub daemon running?");
            return JsonSerializer.Deserialize(line, JoinJson.Default.JoinResponse)
                ?? throw new JoinException($"{where} answered with something that is not a join answer");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new JoinException($"{where} did not answer within {Timeout.TotalSeconds:0} s; check that the hub daemon runs and that its firewall lets tcp/{token.JoinEndpoint.Port} in");
        }
        catch (SocketException e)
        {
            throw new JoinException($"cannot reach {where}: {e.Message}; check that the hub daemon runs, that the token is still pending, and that its firewall lets tcp/{token.JoinEndpoint.Port} in", e);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new JoinException($"the exchange with {where} failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Connects, retrying a refused connection for a few seconds: the hub opens its join port within a second
    /// of a new token, and a join run straight after <c>keepwire site add</c> may be quicker than that.
    /// </summary>
    private static async Task<TcpClient> ConnectAsync(JoinToken token, CancellationToken cancellationToken)
    {
        var refusedUntil = DateTime.UtcNow + RefusedRetry;
        while (true)
        {
            var client = new TcpClient(); // dual-stack where the host has IPv6
            try
            {
                await client.ConnectAsync(token.JoinEndpoint.Host, token.JoinEndpoint.Port, cancellationToken);
                return client;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && DateTime.UtcNow < refusedUntil)
            {
                client.Dispose();
                await Task.Delay(250, cancellationToken);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var text = new MemoryStream();
        var buffer = new byte[8192];
        while (text.Length < MaxResponseBytes)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
                return null;
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
            text.Write(buffer, 0, newline >= 0 ? newline : read);
            if (newline >= 0)
                return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
        }
        return null;
    }
}
