using System.Net.Sockets;
using System.Text;
using Keepwire.Adapters.Processes;
using Keepwire.Control;
using Keepwire.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Control;

/// <summary>
/// The control socket's path: a second daemon for the same socket must leave the running one alone,
/// and a path that is not a socket is never deleted.
/// </summary>
public sealed class ControlSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-control-").FullName;

    private string SocketPath => Path.Combine(_directory, "control.sock");

    [Fact]
    public async Task A_second_server_on_the_same_socket_is_refused_naming_the_running_pid_and_the_first_keeps_answering()
    {
        await using var first = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        first.Start();

        var second = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        var refused = Assert.ThrowsAny<Exception>(second.Start);
        await second.DisposeAsync();

        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        var answer = await new ControlClient(SocketPath).SendAsync(new ControlRequest("status"));
        Assert.True(answer.Ok);
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_is_refused_and_kept()
    {
        await File.WriteAllTextAsync(SocketPath, "precious");

        var server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        var refused = Assert.ThrowsAny<Exception>(server.Start);
        await server.DisposeAsync();

        Assert.Contains(SocketPath, refused.Message, StringComparison.Ordinal);
        Assert.Contains("is not a socket (a regular file)", refused.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(SocketPath));
    }

    [Fact]
    public async Task A_socket_left_by_a_killed_daemon_is_replaced()
    {
        // Bound by a process that exits without unlinking it, as a killed daemon leaves it (.NET unlinks on Dispose).
        var left = await new CommandRunner().RunAsync("python3", ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", SocketPath]);
        Assert.True(left.Succeeded, left.StandardError);
        Assert.Equal(FileKind.Socket, FileStatus.Of(SocketPath, followLink: false)?.Kind);

        await using var server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        server.Start();

        Assert.True((await new ControlClient(SocketPath).SendAsync(new ControlRequest("status"))).Ok);
    }

    [Fact]
    public async Task A_request_line_over_the_limit_gets_an_error_instead_of_being_read_whole()
    {
        await using var server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance);
        server.Start();
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket, ownsSocket: false);

        // 16 MiB without a newline: the server must answer long before it has seen the end of it.
        var sending = Task.Run(async () =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            try
            {
                for (var i = 0; i < 256; i++)
                    await stream.WriteAsync(chunk);
            }
            catch (IOException)
            {
                // The server hung up on us: expected.
            }
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = await reader.ReadLineAsync(timeout.Token);

        Assert.NotNull(line);
        Assert.Contains("too long", line, StringComparison.Ordinal);
        await sending;
    }

    [Theory]
    [InlineData("hang up")]
    [InlineData("not json")]
    public async Task A_daemon_that_hangs_up_or_answers_garbage_is_a_clear_error_for_the_cli(string daemon)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen();
        var serving = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            if (daemon == "not json")
                await connection.SendAsync(Encoding.ASCII.GetBytes("{\"ok\": tru\n"));
        });

        var error = await Assert.ThrowsAsync<ControlUnavailableException>(() => new ControlClient(SocketPath).SendAsync(new ControlRequest("reload")));

        Assert.Contains(SocketPath, error.Message, StringComparison.Ordinal);
        await serving;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed class EchoHandler : IControlHandler
    {
        public Task<ControlResponse> HandleAsync(ControlRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(ControlResponse.Success(request.Command));
    }
}
