using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CsCheck;
using Keepwire.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Keepwire.Tests.Fuzzing;

/// <summary>
/// The control server end to end, over a real unix socket in a temp directory with a handler that only
/// echoes: request lines of garbage, of almost-valid JSON, longer than the limit, cut off before their
/// newline, and many connections at once. Every complete request gets one well-formed answer, nothing
/// escapes the server, and afterwards it still answers a plain request.
/// </summary>
public sealed class ControlProtocolFuzzTests : IAsyncLifetime, IAsyncDisposable
{
    private static readonly ControlLimits Limits = ControlLimits.Default with { RequestTimeout = TimeSpan.FromSeconds(30), MaxConnections = 64 };
    private readonly ITestOutputHelper _output;
    private readonly string _directory = Directory.CreateTempSubdirectory("keepwire-control-fuzz-").FullName;
    private readonly ControlServer _server;

    public ControlProtocolFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        _server = new ControlServer(SocketPath, new EchoHandler(), NullLogger.Instance, TimeProvider.System, Limits);
        _server.Start();
    }

    private string SocketPath => Path.Combine(_directory, "control.sock");

    /// <summary>What a client sends on one connection: the bytes, and whether it ends them with a newline or just hangs up.</summary>
    private sealed record Exchange(byte[] Line, bool Newline);

    private static Gen<Exchange> Exchanges()
    {
        var valid = Encoding.UTF8.GetBytes("""{"command":"status","arguments":{"service":"web"}}""");
        var lines = Gen.OneOf(
            HostileInput.Payloads(valid, 512),
            HostileInput.Bytes(200_000),
            Gen.Int[Limits.MaxRequestBytes - 2, Limits.MaxRequestBytes + 2].Select(n => Encoding.ASCII.GetBytes(new string(' ', n))));
        return Gen.Select(lines, Gen.Bool, (line, newline) => new Exchange([.. line.Where(b => b != (byte)'\n')], newline));
    }

    [Fact]
    public async Task Any_request_line_gets_one_well_formed_answer_or_a_closed_connection()
    {
        // Each sample opens a real connection: fewer iterations than the in-memory codecs, same property.
        var budget = Gen.Select(Exchanges(), Gen.Int[1, 4], (exchange, copies) => (exchange, copies));
        FuzzBudget.Run(budget, sample =>
        {
            var answers = Task.WhenAll(Enumerable.Range(0, sample.copies).Select(_ => ExchangeAsync(sample.exchange))).GetAwaiter().GetResult();
            foreach (var answer in answers)
                Check(sample.exchange, answer);
        }, _output, threads: 2, share: 0.03);

        Assert.True((await AskAsync("{\"command\":\"status\"}\n"))?.Ok);
    }

    [Fact]
    public async Task Many_connections_at_once_are_each_answered_or_refused_and_the_server_answers_after()
    {
        var clients = Enumerable.Range(0, Limits.MaxConnections * 3)
            .Select(i => AskAsync(i % 2 == 0 ? "{\"command\":\"status\"}\n" : "garbage\n"))
            .ToList();

        var answers = await Task.WhenAll(clients);

        Assert.All(answers, a => Assert.NotNull(a));
        Assert.Contains(answers, a => a!.Ok);
        Assert.True((await AskAsync("{\"command\":\"status\"}\n"))?.Ok);
    }

    private static void Check(Exchange exchange, ControlResponse? answer)
    {
        // Without a newline the client hangs up after sending: the server answers what it read, or finds the connection gone.
        if (answer is null)
        {
            if (exchange.Newline && exchange.Line.Length <= Limits.MaxRequestBytes)
                throw new InvalidOperationException("a complete request line got no answer");
            return;
        }
        if (exchange.Line.Length > Limits.MaxRequestBytes && !(answer.Error ?? "").StartsWith("request too long", StringComparison.Ordinal))
            throw new InvalidOperationException($"a line of {exchange.Line.Length} bytes was not refused as too long: {answer}");
        if (!answer.Ok && string.IsNullOrWhiteSpace(answer.Error))
            throw new InvalidOperationException("a failure without an error");
    }

    private async Task<ControlResponse?> ExchangeAsync(Exchange exchange)
    {
        using var socket = await ConnectAsync();
        try
        {
            await socket.SendAsync(exchange.Newline ? [.. exchange.Line, (byte)'\n'] : exchange.Line);
            if (!exchange.Newline)
                socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server hung up on a line over the limit while we were still sending it.
        }
        return await ReadAnswerAsync(socket);
    }

    /// <summary>Connects, retrying while the listen backlog is full (a unix socket refuses with EAGAIN then, as a client must expect).</summary>
    private async Task<Socket> ConnectAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock && attempt < 600)
            {
                socket.Dispose();
                await Task.Delay(50);
            }
        }
    }

    private async Task<ControlResponse?> AskAsync(string request)
    {
        using var socket = await ConnectAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(request));
        }
        catch (SocketException)
        {
            // Refused (too many connections) before we sent: the answer is waiting.
        }
        return await ReadAnswerAsync(socket);
    }

    /// <summary>The one line the server answers with, parsed; null when it closed without answering.</summary>
    private static async Task<ControlResponse?> ReadAnswerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var bytes = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                bytes.AddRange(buffer.AsSpan(0, read));
        }
        catch (SocketException)
        {
            // Reset by the server after a refused line.
        }
        if (bytes.Count == 0)
            return null;
        var text = Encoding.UTF8.GetString([.. bytes]);
        if (!text.EndsWith('\n') || text.IndexOf('\n') != text.Length - 1)
            throw new InvalidOperationException($"not one answer line: {text}");
        return JsonSerializer.Deserialize<ControlResponse>(text, ControlJson.Options)
            ?? throw new InvalidOperationException("a null answer");
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
            Task.FromResult(ControlResponse.Success($"{request.Command}: {request.Arguments?.Count ?? 0} arguments"));
    }
}
