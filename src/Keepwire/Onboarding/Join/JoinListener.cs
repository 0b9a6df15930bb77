using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Keepwire.Configuration.Parsing;
using Keepwire.Onboarding.Tokens;
using Microsoft.Extensions.Logging;

namespace Keepwire.Onboarding.Join;

/// <summary>
/// The hub's join port: a TCP listener that is open only while a join token could be used, and for
/// <see cref="JoinTokenStore.AnswerWindow"/> after the last one was used or expired so that a repeated or late
/// join is told why it is refused (checked every second); a hub with no recent join exposes nothing. Each connection carries one request line and
/// one answer line of JSON. Limits keep anything from outside from costing more than a little: requests
/// of at most 4 KiB, 10 s per connection, 4 connections at once (more are closed at once), and every
/// refusal is the same few words whatever the attacker sent.
/// </summary>
public sealed partial class JoinListener(int port, JoinTokenStore store, JoinRegistrar registrar, TimeProvider time, ILogger logger)
{
    public const int MaxRequestBytes = 4096;
    public const int MaxConnections = 4;
    public static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private int _connections;

    public async Task RunAsync(CancellationToken stopping)
    {
        TcpListener? listener = null;
        Task? accepting = null;
        string? lastProblem = null;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    var open = store.ShouldListen(time.GetUtcNow());
                    if (open && listener is null)
                    {
                        listener = Open();
                        accepting = AcceptAsync(listener, stopping);
                        Log.Opened(logger, port);
                    }
                    else if (!open && listener is not null)
                    {
                        listener.Stop();
                        await accepting!;
                        (listener, accepting) = (null, null);
                        Log.Closed(logger, port);
                    }
                    lastProblem = null;
                }
                catch (Exception e) when (e is SocketException or IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    // A port taken by another program or an unreadable store: say so once, keep the hub running, retry.
                    if (lastProblem != e.Message)
                        Log.Problem(logger, port, e.Message);
                    lastProblem = e.Message;
                }
                await Task.Delay(PollInterval, time, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            listener?.Stop();
            if (accepting is not null)
                await accepting;
        }
    }

    private TcpListener Open()
    {
        var listener = Socket.OSSupportsIPv6 ? new TcpListener(IPAddress.IPv6Any, port) : new TcpListener(IPAddress.Any, port);
        if (Socket.OSSupportsIPv6)
            listener.Server.DualMode = true;
        listener.Start(backlog: MaxConnections);
        return listener;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            if (Interlocked.Increment(ref _connections) > MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                client.Dispose();
                continue;
            }
            _ = ServeAsync(client, stopping);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stopping)
    {
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "unknown";
        try
        {
            using (client)
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                timeout.CancelAfter(ConnectionTimeout);
                var stream = client.GetStream();
                var response = await AnswerAsync(await ReadLineAsync(stream, timeout.Token), remote, timeout.Token);
                await stream.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(response, JoinJson.Default.JoinResponse) + "\n"), timeout.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            Log.ConnectionFailed(logger, remote, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private async Task<JoinResponse> AnswerAsync(string? line, string remote, CancellationToken cancellationToken)
    {
        JoinRequest? request = null;
        try
        {
            request = line is null ? null : JsonSerializer.Deserialize(line, JoinJson.Default.JoinRequest);
        }
        catch (JsonException)
        {
        }
        if (request is null || request.Token is null || request.Site is null || request.PublicKey is null || request.Nonce is null || request.Mac is null
            || NameSyntax.CheckName(request.Site) is not null || request.Token.Length != 2 * JoinToken.IdLength)
        {
            Log.Malformed(logger, remote);
            return JoinResponse.Refused("malformed join request");
        }
        try
        {
            return await registrar.HandleAsync(request, remote, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The hub's own files (token store, its lock, the config) failed it: the site gets an answer instead of a
            // silent close, and the details, which name paths on the hub, go to the hub's log only.
            Log.HandlingFailed(logger, request.Site, remote, e.Message);
            return JoinResponse.Refused("the hub could not complete the join; its log says why, and the token is still unused");
        }
    }

    /// <summary>One line of at most <see cref="MaxRequestBytes"/>, or null when the peer sends more or closes early.</summary>
    private static async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
                return null;
            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
                return Encoding.UTF8.GetString(buffer, 0, newline);
        }
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "join port tcp/{Port} open: a join token is pending")]
        public static partial void Opened(ILogger logger, int port);

        [LoggerMessage(Level = LogLevel.Information, Message = "join port tcp/{Port} closed: no join token is pending or recently used or expired")]
        public static partial void Closed(ILogger logger, int port);

        [LoggerMessage(Level = LogLevel.Error, Message = "join port tcp/{Port}: {Problem}; retrying every second")]
        public static partial void Problem(ILogger logger, int port, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "malformed join request from {Remote}")]
        public static partial void Malformed(ILogger logger, string remote);

        [LoggerMessage(Level = LogLevel.Error, Message = "join for site {Site} from {Remote} failed on the hub: {Problem}")]
        public static partial void HandlingFailed(ILogger logger, string site, string remote, string problem);

        [LoggerMessage(Level = LogLevel.Debug, Message = "join connection from {Remote} ended: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string remote, string reason);
    }
}
