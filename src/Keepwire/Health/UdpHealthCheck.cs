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
    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(new IPEndPoint(address, RequirePort()), cancellationToken);
        await socket.SendAsync(Encoding.UTF8.GetBytes(Definition.UdpPayload), SocketFlags.None, cancellationToken);
        var buffer = new byte[65535];
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        if (Definition.UdpExpect is { } expected && !Encoding.UTF8.GetString(buffer, 0, length).Contains(expected, StringComparison.Ordinal))
            return (false, $"reply of {length} bytes does not contain \"{expected}\"");
        return (true, $"reply of {length} bytes");
    }
}
