using System.Net;
using Keepwire.Health;
using Keepwire.Model;

namespace Keepwire.Tests.Health;

public sealed class HttpHealthCheckTests
{
    // Success paths get a generous timeout: the tests assert behaviour, never speed, and run on busy machines.
    private static HttpHealthCheck Check(int port, string? bodyContains = null, string? host = null, int timeoutMs = 10_000, int attempts = CheckDefinition.DefaultAttempts) => new(
        new CheckDefinition("http", CheckKind.Http) { Port = port, Path = "/healthz", BodyContains = bodyContains, Host = host, Timeout = TimeSpan.FromMilliseconds(timeoutMs), Attempts = attempts },
        TimeProvider.System);

    [Fact]
    public async Task A_good_status_passes_and_sends_path_and_host()
    {
        await using var server = new LoopbackHttpServer(200, "all good");
        using var check = Check(server.Port, bodyContains: "good", host: "www.example.net");
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.True(result.Success, result.Detail);
        Assert.Equal("status 200", result.Detail);
        Assert.Equal(("a", "http"), (result.Site, result.Check));
        Assert.True(server.Requests.TryDequeue(out var request));
        Assert.StartsWith("GET /healthz HTTP/1.1", request);
        Assert.Contains("Host: www.example.net", request);
    }

    [Fact]
    public async Task Every_probe_opens_a_fresh_connection()
    {
        await using var server = new LoopbackHttpServer();
        using var check = Check(server.Port, attempts: 1);
        for (var i = 0; i < 3; i++)
            Assert.True((await check.ProbeAsync("a", IPAddress.Loopback)).Success);
        Assert.Equal(3, server.Connections);
    }

    [Fact]
    public async Task Two_attempts_open_two_connections_and_one_answer_is_enough()
    {
        // The connection accepted first never gets an answer, as if its request was lost.
        await using var server = new LoopbackHttpServer(silentConnections: 1);
        using var check = Check(server.Port, attempts: 2);
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.True(result.Success, result.Detail);
        Assert.Equal("status 200", result.Detail);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_status_out_of_range_fails_with_the_status()
    {
        await using var server = new LoopbackHttpServer(503, "down for maintenance");
        using var check = Check(server.Port);
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("status 503 (expected 200-399)", result.Detail);
    }

    [Fact]
    public async Task A_body_without_the_expected_text_fails()
    {
        await using var server = new LoopbackHttpServer(200, "database: error");
        using var check = Check(server.Port, bodyContains: "database: ok");
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("status 200 but the body does not contain \"database: ok\"", result.Detail);
    }

    [Fact]
    public async Task A_closed_port_fails_as_connection_refused()
    {
        using var check = Check(Loopback.ClosedTcpPort());
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("connection refused", result.Detail);
    }

    [Fact]
    public async Task A_server_that_never_answers_fails_with_a_timeout()
    {
        await using var server = new LoopbackHttpServer(respond: false);
        using var check = Check(server.Port, timeoutMs: 300);
        var result = await check.ProbeAsync("a", IPAddress.Loopback);
        Assert.False(result.Success);
        Assert.Equal("timeout after 300 ms", result.Detail);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_a_failure()
    {
        await using var server = new LoopbackHttpServer(respond: false);
        using var check = Check(server.Port, timeoutMs: 5000);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => check.ProbeAsync("a", IPAddress.Loopback, cancel.Token));
    }
}
