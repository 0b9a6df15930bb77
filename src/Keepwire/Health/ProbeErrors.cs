using System.Net.Sockets;

namespace Keepwire.Health;

/// <summary>Turns what went wrong in a probe into the few words an operator reads in `keepwire status`.</summary>
internal static class ProbeErrors
{
    public static string Timeout(TimeSpan timeout) => $"timeout after {timeout.TotalMilliseconds:0} ms";

    public static string Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
                return Describe(socket.SocketErrorCode, socket.Message);
        }

        return exception.Message;
    }

    public static string Describe(SocketError error, string fallback) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.HostUnreachable => "no route to host",
        SocketError.NetworkUnreachable => "network unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.AddressNotAvailable => "address not available",
        _ => fallback,
    };
}
