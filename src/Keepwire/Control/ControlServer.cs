using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Keepwire.Adapters.Posix;
using Keepwire.Files;
using Keepwire.Security;
using Microsoft.Extensions.Logging;

namespace Keepwire.Control;

/// <summary>
/// The control API: a unix socket, mode 0600, so only root (the socket's owner) can steer the
/// daemon. Nothing listens on the network. One JSON request line in, one JSON response line out.
/// Whoever connects gets bounded resources: a request line of at most <see cref="ControlLimits.MaxRequestBytes"/>,
/// arriving whole within <see cref="ControlLimits.RequestTimeout"/>; an answer written within
/// <see cref="ControlLimits.ResponseTimeout"/>; at most <see cref="ControlLimits.MaxConnections"/> connections at
/// once (more are told so and closed). The socket path belongs to the daemon holding the lock file beside it
/// (<see cref="DaemonLock"/>): a second daemon is refused before it touches the socket, and only a path that is a
/// socket nobody answers on is ever deleted.
/// </summary>
public sealed partial class ControlServer : IAsyncDisposable
{
    private readonly string _socketPath;
    private readonly IControlHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ControlLimits _limits;
    private readonly SemaphoreSlim _connections;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private DaemonLock? _lock;
    private bool _bound;
    private Task? _acceptLoop;
    private long _refused;

    public ControlServer(string socketPath, IControlHandler handler, ILogger logger)
        : this(socketPath, handler, logger, TimeProvider.System, ControlLimits.Default)
    {
    }

    internal ControlServer(string socketPath, IControlHandler handler, ILogger logger, TimeProvider time, ControlLimits limits)
    {
        _socketPath = socketPath;
        _handler = handler;
        _logger = logger;
        _time = time;
        _limits = limits;
        _connections = new SemaphoreSlim(limits.MaxConnections, limits.MaxConnections);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    /// <summary>The lock file that says which daemon owns <paramref name="socketPath"/>.</summary>
    public static string LockPathFor(string socketPath) => socketPath + ".lock";

    /// <summary>Takes the socket path's lock, clears a stale socket, binds and listens.</summary>
    /// <exception cref="DaemonAlreadyRunningException">Another daemon owns the socket.</exception>
    /// <exception cref="ControlSocketInUseException">Something that is not a stale socket is at the path; it is left alone.</exception>
    public void Start()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_socketPath));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        _lock = DaemonLock.Acquire(LockPathFor(_socketPath), $"the control socket {_socketPath}");
        RemoveStaleSocket();
        _listener.Bind(new UnixDomainSocketEndPoint(_socketPath));
        _bound = true;
        File.SetUnixFileMode(_socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(_limits.MaxConnections);
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    /// <summary>
    /// A socket file left by a killed daemon blocks bind; it is ours to replace, since we hold the lock. Anything
    /// else is not: a regular file (a mistyped --socket), a directory, or a socket a daemon without the lock
    /// (an older keepwire) still answers on.
    /// </summary>
    private void RemoveStaleSocket()
    {
        if (FileStatus.Of(_socketPath, followLink: false) is not { } status)
            return;
        if (status.Kind != FileKind.Socket)
            throw new ControlSocketInUseException($"{_socketPath} exists and is not a socket (a {status.Kind.Describe()}); it was left alone: remove it yourself or pass another --socket");
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(_socketPath));
                throw new ControlSocketInUseException($"a daemon answers on {_socketPath} without holding {LockPathFor(_socketPath)} (an older keepwire?); it was left alone: stop it first");
            }
            catch (SocketException)
            {
                // Nobody answers: stale.
            }
        }
        File.Delete(_socketPath);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (_connections.Wait(0, CancellationToken.None))
                _ = ServeAsync(connection, cancellationToken);
            else
                _ = RefuseAsync(connection, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = connection;
            var response = await AnswerAsync(connection, cancellationToken);
            if (response is not null)
                await WriteAsync(connection, response, cancellationToken);
        }
        finally
        {
            _connections.Release();
        }
    }

    /// <summary>The answer to the connection's request; null when the daemon is stopping.</summary>
    private async Task<ControlResponse?> AnswerAsync(Socket connection, CancellationToken cancellationToken)
    {
        byte[]? line;
        using (var timeout = new CancellationTokenSource(_limits.RequestTimeout, _time))
        using (var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                line = await ReadRequestLineAsync(connection, reading.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ControlResponse.Failure($"no complete request line within {_limits.RequestTimeout.TotalSeconds:0.#} s");
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException)
            {
                return null; // the client went away
            }
        }

        if (line is null)
            return ControlResponse.Failure($"request too long: over {_limits.MaxRequestBytes} bytes without a newline (one JSON object per line)");
        try
        {
            var request = line.Length == 0 ? null : JsonSerializer.Deserialize(line, ControlJson.Info<ControlRequest>());
            if (request is not { Command: not null })
                return ControlResponse.Failure("empty request: send one JSON object with a \"command\" per line");
            return await _handler.HandleAsync(request, cancellationToken);
        }
        catch (JsonException e)
        {
            return ControlResponse.Failure($"malformed request: {e.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            Log.RequestFailed(_logger, e);
            return ControlResponse.Failure(e.Message);
        }
    }

    /// <summary>
    /// The bytes before the first newline (or before the end, when the client closes without one); null when
    /// there are more than the limit without a newline. Never holds more than the limit.
    /// </summary>
    private async Task<byte[]?> ReadRequestLineAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(_limits.MaxRequestBytes + 1, 4096)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > _limits.MaxRequestBytes)
                    return null;
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _limits.MaxRequestBytes + 1));
            }

            var read = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
                return buffer[..length];
            var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
            length += read;
            if (newline >= 0)
                return newline <= _limits.MaxRequestBytes ? buffer[..newline] : null;
        }
    }

    private async Task WriteAsync(Socket connection, ControlResponse response, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(response, ControlJson.Info<ControlResponse>()) + "\n");
        using var timeout = new CancellationTokenSource(_limits.ResponseTimeout, _time);
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var sent = 0;
            while (sent < bytes.Length)
                sent += await connection.SendAsync(bytes.AsMemory(sent), SocketFlags.None, writing.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or does not read; nothing to tell it.
        }
    }

    /// <summary>Too many connections open: say so at once and hang up, so the client is not left waiting.</summary>
    private async Task RefuseAsync(Socket connection, CancellationToken cancellationToken)
    {
        using var _ = connection;
        if (RejectionCounter.WorthLogging(Interlocked.Increment(ref _refused)))
            Log.TooManyConnections(_logger, _limits.MaxConnections, _refused);
        await WriteAsync(connection, ControlResponse.Failure($"too many control connections open (at most {_limits.MaxConnections}); try again"), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop;
        if (_bound)
        {
            try
            {
                File.Delete(_socketPath);
            }
            catch (IOException)
            {
            }
        }
        // Released after the socket is gone: the next daemon finds a clean path.
        _lock?.Dispose();
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "control request failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Warning, Message = "control socket: more than {Max} connections at once, refused ({Count} so far)")]
        public static partial void TooManyConnections(ILogger logger, int max, long count);
    }
}

/// <summary>The control socket's path holds something this daemon must not replace.</summary>
public sealed class ControlSocketInUseException(string message) : Exception(message);

/// <summary>What one client of the control socket may take.</summary>
/// <param name="MaxRequestBytes">A request line longer than this is refused unread (requests are a few hundred bytes).</param>
/// <param name="RequestTimeout">The whole request line must arrive within this; an idle connection is closed after it.</param>
/// <param name="ResponseTimeout">A client that does not read its answer within this is dropped.</param>
/// <param name="MaxConnections">Connections served at once; more are refused with an error.</param>
internal sealed record ControlLimits(int MaxRequestBytes, TimeSpan RequestTimeout, TimeSpan ResponseTimeout, int MaxConnections)
{
    public static readonly ControlLimits Default = new(64 * 1024, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), 16);
}
