using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// Sends <see cref="CheckDefinition.UdpPayload"/> and is healthy when a reply arrives in time (and
/// contains <see cref="CheckDefinition.UdpExpect"/>, if set). The socket is connected, so an ICMP
/// port-unreachable comes back as "connection refused" instead of a silent timeout.
/// </summary>
public sealed class UdpHealthCheck(CheckDefinition definition, TimeProvider time) : HealthCheck(definition, time)
{
    /// <summary>The largest UDP payload; a reply is read whole, from a pooled buffer.</summary>
    private const int MaxDatagramBytes = 65535;

    private readonly byte[] payload = Encoding.UTF8.GetBytes(definition.UdpPayload);

    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        using var socket = ProbeSockets.Open(address, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(new IPEndPoint(address, RequirePort()), cancellationToken);
        await socket.SendAsync(payload, SocketFlags.None, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(MaxDatagramBytes);
        try
        {
            var length = await socket.ReceiveAsync(buffer.AsMemory(0, MaxDatagramBytes), SocketFlags.None, cancellationToken);
            if (Definition.UdpExpect is { } expected && !Encoding.UTF8.GetString(buffer, 0, length).Contains(expected, StringComparison.Ordinal))
                return (false, $"reply of {length} bytes does not contain \"{expected}\"");
            return (true, $"reply of {length} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
