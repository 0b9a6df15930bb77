using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Keepwire.Control;

/// <summary>
/// The control API: a unix socket, mode 0600, so only root (the socket's owner) can steer the
/// daemon. Nothing listens on the network. One JSON request line in, one JSON response line out.
/// </summary>
public sealed partial class ControlServer : IAsyncDisposable
{
    private readonly string _socketPath;
    private readonly IControlHandler _handler;
    private readonly ILogger _logger;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _acceptLoop;

    public ControlServer(string socketPath, IControlHandler handler, ILogger logger)
    {
        _socketPath = socketPath;
        _handler = handler;
        _logger = logger;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    public void Start()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_socketPath));
        if (directory is not null)
            Directory.CreateDirectory(directory);
        // A socket file left by a killed daemon blocks bind; it is ours to replace.
        if (File.Exists(_socketPath))
            File.Delete(_socketPath);
        _listener.Bind(new UnixDomainSocketEndPoint(_socketPath));
        File.SetUnixFileMode(_socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
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
            _ = ServeAsync(connection, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken cancellationToken)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        ControlResponse response;
        try
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            var request = line is null ? null : JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options);
            response = request is null
                ? ControlResponse.Failure("empty request")
                : await _handler.HandleAsync(request, cancellationToken);
        }
        catch (JsonException e)
        {
            response = ControlResponse.Failure($"malformed request: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            Log.RequestFailed(_logger, e);
            response = ControlResponse.Failure(e.Message);
        }

        try
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(response, ControlJson.Options));
        }
        catch (IOException)
        {
            // The client went away; nothing to tell it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        if (_acceptLoop is not null)
            await _acceptLoop;
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
        }
        _stopping.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "control request failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception);
    }
}
