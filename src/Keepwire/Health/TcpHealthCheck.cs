using System.Net;
using System.Net.Sockets;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>Healthy when a TCP connect to the site's address and port completes.</summary>
public sealed class TcpHealthCheck(CheckDefinition definition, TimeProvider time) : HealthCheck(definition, time)
{
    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        using var socket = ProbeSockets.Open(address, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(address, RequirePort()), cancellationToken);
        return (true, $"connected in {Time.GetElapsedTime(started).TotalMilliseconds:0} ms");
    }
}
