using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Keepwire.Control;

/// <summary>Talks to a running daemon over its control socket.</summary>
public sealed class ControlClient(string socketPath)
{
    public const string DefaultSocketPath = "/run/keepwire/control.sock";

    public async Task<ControlResponse> SendAsync(ControlRequest request, CancellationToken cancellationToken = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            throw new ControlUnavailableException(socketPath, e.Message);
        }

        try
        {
            return await ExchangeAsync(socket, request, cancellationToken);
        }
        catch (IOException e)
        {
            // The daemon closed the connection while we wrote or read (it stopped, or refused us): EPIPE, ECONNRESET.
            throw new ControlUnavailableException(socketPath, $"the connection broke: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new ControlUnavailableException(socketPath, $"an answer that is not a control response: {e.Message}");
        }
    }

    private async Task<ControlResponse> ExchangeAsync(Socket socket, ControlRequest request, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await writer.WriteLineAsync(JsonSerializer.Serialize(request, ControlJson.Info<ControlRequest>()));
        var line = await reader.ReadLineAsync(cancellationToken)
            ?? throw new ControlUnavailableException(socketPath, "the daemon closed the connection without answering");
        return JsonSerializer.Deserialize(line, ControlJson.Info<ControlResponse>())
            ?? throw new ControlUnavailableException(socketPath, "empty answer");
    }
}

public sealed class ControlUnavailableException(string socketPath, string reason)
    : Exception($"cannot reach the keepwire daemon at {socketPath}: {reason} (is it running? pass --socket if it uses another path)");
