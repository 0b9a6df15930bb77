using System.Net.Sockets;
using System.Text;
using Keepwire.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Keepwire.Tests.Control;

/// <summary>What one client of the control socket can take from the daemon: bounded time, bytes and connections.</summary>
public sealed class ControlServerLimitsTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly ControlLimits Limits = new(MaxRequestBytes: 1024, RequestTimeout: TimeSpan.FromSeconds(5), ResponseTimeout: TimeSpan.FromSeconds(10), MaxConnections: 3);
    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-control-").FullName;
    private readonly FakeTimeProvider _clock = new();
    private readonly ControlServer _server;

    public ControlServerLimitsTests()
    {
        _server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance, _clock, Limits);
        _server.Start();
    }

    private string SocketPath => Path.Combine(_directory, "control.sock");

    [Fact]
    public async Task A_connection_that_sends_no_complete_line_is_answered_and_closed_after_the_request_timeout()
    {
        using var idle = await ConnectAsync();
        await idle.SendAsync(Encoding.ASCII.GetBytes("{\"command\":"));

        // The server arms its timer when it accepts; run the clock on until it has fired.
        var answer = ReadLineAsync(idle);
        while (!answer.IsCompleted)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(answer, Task.Delay(50));
        }

        Assert.Contains("no complete request line within 5 s", await answer, StringComparison.Ordinal);
        Assert.Equal(0, await idle.ReceiveAsync(new byte[1]));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_told_so_at_once_and_a_freed_slot_serves_again()
    {
        var idle = new List<Socket>();
        for (var i = 0; i < Limits.MaxConnections; i++)
            idle.Add(await ConnectAsync());

        using (var extra = await ConnectAsync())
            Assert.Contains("too many control connections", await ReadLineAsync(extra), StringComparison.Ordinal);

        idle[0].Dispose();
        var answer = await AskUntilServedAsync("{\"command\":\"status\"}\n");
        Assert.Contains("\"ok\":true", answer, StringComparison.Ordinal);
        foreach (var socket in idle)
            socket.Dispose();
    }

    [Fact]
    public async Task A_line_just_under_the_limit_is_read_and_one_over_it_is_refused()
    {
        var padding = new string(' ', Limits.MaxRequestBytes - "{\"command\":\"status\"}".Length);
        Assert.Contains("\"ok\":true", await AskAsync("{\"command\":\"status\"}" + padding + "\n"), StringComparison.Ordinal);
        Assert.Contains("request too long", await AskAsync("{\"command\":\"status\"}" + padding + " \n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\n", "empty request")]
    [InlineData("null\n", "empty request")]
    [InlineData("{}\n", "empty request")]
    [InlineData("{\"command\":null}\n", "empty request")]
    [InlineData("[1,2]\n", "malformed request")]
    [InlineData("\u00ff\u00fe\n", "malformed request")]
    [InlineData("{\"command\":\"status\",\"arguments\":{\"a\":1}}\n", "malformed request")]
    public async Task Garbage_gets_an_error_naming_the_problem(string request, string error)
    {
        Assert.Contains(error, await AskAsync(request), StringComparison.Ordinal);
    }

    private async Task<string> AskAsync(string request)
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        return await ReadLineAsync(socket);
    }

    /// <summary>
    /// Asks until a slot is free: the server frees one when it sees the closed connection. A refused attempt may
    /// also surface as a reset: the server closes a refused connection with our request unread, and a Unix socket
    /// closed with unread data resets its peer.
    /// </summary>
    private async Task<string> AskUntilServedAsync(string request)
    {
        for (var attempt = 0; ; attempt++)
        {
            string answer;
            try
            {
                answer = await AskAsync(request);
            }
            catch (SocketException) when (attempt < 300)
            {
                answer = "too many control connections (reset)";
            }
            if (!answer.Contains("too many control connections", StringComparison.Ordinal) || attempt == 300)
                return answer;
            await Task.Delay(100);
        }
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        return socket;
    }

    private static async Task<string> ReadLineAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        while (!bytes.Contains((byte)'\n'))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
                break;
            bytes.AddRange(buffer.AsSpan(0, read));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // xunit 2 ends a test class through IDisposable or IAsyncLifetime only; IAsyncDisposable alone is never called.
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class EchoHandler : IControlHandler
    {
        public Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(ControlResponse.Success(request.Command));
    }
}
