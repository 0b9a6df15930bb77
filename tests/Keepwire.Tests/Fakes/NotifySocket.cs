using System.Net.Sockets;
using System.Text;

namespace Keepwire.Tests.Fakes;

/// <summary>What systemd would read: a Unix datagram socket a daemon under test gets as its NOTIFY_SOCKET.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next message, or null when none arrives within <paramref name="patience"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan patience)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Messages until one satisfies <paramref name="match"/>; null if none does within <paramref name="patience"/>.</summary>
    public async Task<string?> UntilAsync(Func<string, bool> match, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await ReceiveAsync(deadline - DateTime.UtcNow) is not { } message)
                return null;
            if (match(message))
                return message;
        }
        return null;
    }

    /// <summary>Discards what arrived so far.</summary>
    public void Drain()
    {
        var buffer = new byte[4096];
        while (_socket.Available > 0)
            _socket.Receive(buffer);
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
