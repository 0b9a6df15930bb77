using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Keepwire.Adapters.Posix;

namespace Keepwire.Tests.Adapters;

/// <summary>recvmsg without waiting, on the real kernel over loopback: the datagram, its source, its interface and its receive time.</summary>
public sealed class DatagramReaderTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public async Task A_waiting_datagram_is_read_with_its_source_interface_and_the_time_the_kernel_received_it(AddressFamily family)
    {
        var loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using var reader = new Socket(family, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        reader.Bind(new IPEndPoint(loopback, 0));
        DatagramReader.EnableReceiveInfo(reader);
        using var sender = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(loopback, 0));
        var buffer = new byte[8];

        Assert.False(DatagramReader.TryRead(reader, buffer, out _));
        await WaitUntilTheKernelStampsArrivalsAsync(reader, sender, buffer);
        var sent = DateTimeOffset.UtcNow;
        sender.SendTo("keepwire-liveness"u8, reader.LocalEndPoint!);
        // Read well after it arrived: the time must still be the arrival's. Loopback delivers within the send unless
        // the machine is loaded (ksoftirqd then runs it later), so the read waits long enough to tell the two apart.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var read = DateTimeOffset.UtcNow;
        Assert.True(DatagramReader.TryRead(reader, buffer, out var datagram));

        Assert.Equal(8, datagram.Length); // cut to the buffer
        Assert.Equal("keepwire"u8.ToArray(), buffer);
        Assert.Equal(((IPEndPoint)sender.LocalEndPoint!).Address, datagram.Source);
        Assert.Equal(family == AddressFamily.InterNetwork ? NetworkInterface.LoopbackInterfaceIndex : NetworkInterface.IPv6LoopbackInterfaceIndex, datagram.InterfaceIndex);
        Assert.NotNull(datagram.ReceivedAt);
        Assert.InRange(datagram.ReceivedAt.Value, sent - TimeSpan.FromSeconds(1), read - TimeSpan.FromSeconds(1));
        Assert.False(DatagramReader.TryRead(reader, buffer, out _));
    }

    /// <summary>
    /// The kernel turns receive stamps on in deferred work after the first socket asks (DatagramReader.EnableReceiveInfo):
    /// until then a datagram is stamped when it is read. The suite once read a datagram 3 s after it was sent with
    /// exactly the read's time. Probes until a datagram read 200 ms after its send carries an earlier time.
    /// </summary>
    private static async Task WaitUntilTheKernelStampsArrivalsAsync(Socket reader, Socket sender, byte[] buffer)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            sender.SendTo("warm-up"u8, reader.LocalEndPoint!);
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var read = DateTimeOffset.UtcNow;
            Assert.True(DatagramReader.TryRead(reader, buffer, out var warmUp));
            if (warmUp.ReceivedAt < read - TimeSpan.FromMilliseconds(100))
                return;
        }
        Assert.Fail("the kernel never stamped a datagram with its arrival (SO_TIMESTAMPNS) in 50 tries");
    }
}
