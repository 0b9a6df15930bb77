using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Health;
using Keepwire.Model;

namespace Keepwire.Tests.Health;

public sealed class TcpAndUdpHealthCheckTests
{
    // Success paths get a generous timeout: the tests assert behaviour, never speed, and run on busy machines.
    private static TcpHealthCheck Tcp(int port, int timeoutMs = 10_000, TimeProvider? time = null) =>
        new(new CheckDefinition("tcp", CheckKind.Tcp) { Port = port, Timeout = TimeSpan.FromMilliseconds(timeoutMs), Attempts = 2 }, time ?? TimeProvider.System);

    private static UdpHealthCheck Udp(int port, string? expect = null, int timeoutMs = 10_000) =>
        new(new CheckDefinition("udp", CheckKind.Udp) { Port = port, UdpPayload = "ping", UdpExpect = expect, Timeout = TimeSpan.FromMilliseconds(timeoutMs), Attempts = 2 }, TimeProvider.System);

    [Fact]
    public async Task Tcp_connect_to_a_listener_passes()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var check = Tcp(((IPEndPoint)listener.LocalEndpoint).Port);
            var result = await check.ProbeAsync("a", IPAddress.Loopback);
            Assert.True(result.Success, result.Detail);
            Assert.StartsWith("connected in", result.Detail);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tcp_connect_to_a_closed_port_is_refused()
    {
        using var check = Tcp(Loopback.ClosedTcpPort());
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task Tcp_connects_all_refused_fail_without_waiting_for_the_timeout()
    {
        // The timeout runs on a clock nobody advances: the probe can only end because both attempts were refused.
        var stopped = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var check = Tcp(Loopback.ClosedTcpPort(), timeoutMs: 250, time: stopped);
        var result = await check.ProbeAsync("a", IPAddress.Loopback).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task Tcp_connect_that_gets_no_answer_times_out()
    {
        using var blackhole = Loopback.Blackhole();
        using var check = Tcp(blackhole.Port, timeoutMs: 300);
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("timeout after 300 ms", result.Detail);
    }

    [Fact]
    public async Task Udp_reply_passes_and_is_checked_for_the_expected_text()
    {
        using var echo = new UdpEcho(reply: payload => "pong " + payload);
        using (var check = Udp(echo.Port, expect: "pong"))
        {
            var result = await check.ProbeAsync("a", IPAddress.Loopback);
            Assert.True(result.Success, result.Detail);
            Assert.Equal("reply of 9 bytes", result.Detail);
        }

        using (var check = Udp(echo.Port, expect: "pang"))
        {
            var result = await check.ProbeAsync("a", IPAddress.Loopback);
            Assert.False(result.Success);
            Assert.Equal("reply of 9 bytes does not contain \"pang\"", result.Detail);
        }
    }

    [Fact]
    public async Task Udp_sends_from_two_sockets_and_one_reply_is_enough()
    {
        using var echo = new UdpEcho(reply: payload => "pong " + payload, dropFirst: 1);
        using var check = Udp(echo.Port, expect: "pong");
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.True(result.Success, result.Detail);
        Assert.Equal(2, echo.Received);
    }

    [Fact]
    public async Task Udp_to_a_closed_port_is_refused()
    {
        using var check = Udp(Loopback.ClosedUdpPort());
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task Udp_without_a_reply_times_out()
    {
        using var silent = new UdpEcho(reply: null);
        using var check = Udp(silent.Port, timeoutMs: 300);
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("timeout after 300 ms", result.Detail);
    }

    /// <summary>
    /// A UDP server on loopback that answers with <c>reply(payload)</c>, or swallows datagrams when reply
    /// is null; the first <c>dropFirst</c> datagrams are swallowed too, as if lost.
    /// </summary>
    private sealed class UdpEcho : IDisposable
    {
        private readonly UdpClient server = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource stopping = new();
        private int received;

        public UdpEcho(Func<string, string>? reply, int dropFirst = 0)
        {
            Port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var datagram = await server.ReceiveAsync(stopping.Token);
                        if (Interlocked.Increment(ref received) > dropFirst && reply is not null)
                            await server.SendAsync(Encoding.UTF8.GetBytes(reply(Encoding.UTF8.GetString(datagram.Buffer))), datagram.RemoteEndPoint, stopping.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                }
            });
        }

        public int Port { get; }

        public int Received => Volatile.Read(ref received);

        public void Dispose()
        {
            stopping.Cancel();
            server.Dispose();
            stopping.Dispose();
        }
    }
}
