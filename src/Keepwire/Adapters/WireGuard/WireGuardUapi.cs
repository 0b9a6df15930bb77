using System.Net.Sockets;
using System.Text;

namespace Keepwire.Adapters.WireGuard;

/// <summary>
/// Talks to a userspace WireGuard device (<c>wireguard-go</c>) through its control socket,
/// <c>/var/run/wireguard/NAME.sock</c>, in the cross-platform text protocol that <c>wg</c> itself speaks
/// (<c>get=1</c>): the same answer as <c>wg show NAME dump</c> without starting <c>ip</c> and <c>wg</c> for it,
/// which the hub did several times a second. The socket directory is the machine's, not a network namespace's,
/// so this reads a device whatever namespace it lives in. A kernel WireGuard device has no such socket: then
/// the caller uses <c>wg</c>.
/// </summary>
internal static class WireGuardUapi
{
    /// <summary>The longest answer read: far more than a device with thousands of peers prints.</summary>
    public const int MaxAnswerBytes = 16 * 1024 * 1024;

    private static ReadOnlySpan<byte> GetRequest => "get=1\n\n"u8;

    /// <summary>Whether a device answers on <paramref name="socketPath"/>, i.e. its <c>wireguard-go</c> runs.</summary>
    public static async Task<bool> AnswersAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(socketPath, cancellationToken);
        return socket is not null;
    }

    /// <summary>The device's answer to <c>get=1</c>, or null when no device answers on the socket (none, or a stale one).</summary>
    /// <exception cref="IOException">The device answered something cut short or too long.</exception>
    public static async Task<string?> GetAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(socketPath, cancellationToken);
        if (socket is null)
            return null;
        await socket.SendAsync(GetRequest.ToArray(), SocketFlags.None, cancellationToken);

        // The answer ends with an empty line ("errno=0\n\n"); the device then waits for the next request.
        using var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (!EndsWithEmptyLine(answer))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
                throw new IOException($"{socketPath}: the WireGuard device closed the connection before its answer ended");
            if (answer.Length + read > MaxAnswerBytes)
                throw new IOException($"{socketPath}: the WireGuard device's answer is longer than {MaxAnswerBytes} bytes");
            answer.Write(buffer, 0, read);
        }
        return Encoding.UTF8.GetString(answer.GetBuffer(), 0, (int)answer.Length);
    }

    private static async Task<Socket?> ConnectAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
            return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return socket;
        }
        catch (SocketException)
        {
            // Refused: a socket file left by a wireguard-go that is gone; no device behind it.
            socket.Dispose();
            return null;
        }
    }

    private static bool EndsWithEmptyLine(MemoryStream answer) =>
        answer.Length >= 2 && answer.GetBuffer()[answer.Length - 1] == '\n' && answer.GetBuffer()[answer.Length - 2] == '\n';
}
