using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Keepwire.Configuration;
using Keepwire.Dashboard;
using Keepwire.Hub;
using Keepwire.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Tests.Dashboard;

/// <summary>The dashboard's server on a loopback port of the test process: the page, the event stream, the token.</summary>
public sealed class DashboardServerTests : IAsyncLifetime, IDisposable
{
    private const string Token = "a-long-enough-dashboard-token-0123456789";
    private static readonly JsonElement Status = JsonDocument.Parse("""{"node":"hub","services":[{"name":"web","serving_site":"alpha","reason":"highest priority"}],"sites":[]}""").RootElement;

    private readonly HubEventFeed _feed = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _directory = Directory.CreateTempSubdirectory("kw-dashboard-").FullName;
    private DashboardServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task It_serves_the_embedded_page_and_nothing_from_elsewhere_and_refuses_anything_but_GET()
    {
        var server = Start(tokenFile: null);

        var page = await _http.GetStringAsync(new Uri(server.Address, "/"));
        var script = await _http.GetStringAsync(new Uri(server.Address, "/dashboard.js"));
        var post = await _http.PostAsync(new Uri(server.Address, "/status"), new StringContent(""));

        Assert.Contains("<script src=\"dashboard.js\"></script>", page);
        Assert.DoesNotContain("http://", page + script);
        Assert.DoesNotContain("https://", page + script);
        Assert.Contains("new EventSource(\"events\")", script);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(new Uri(server.Address, "/etc/passwd"))).StatusCode);
    }

    [Fact]
    public async Task The_event_stream_starts_with_the_latest_events_and_the_status_then_carries_each_new_event()
    {
        _feed.ReloadRejected("hub", "/etc/keepwire/keepwire.yaml", "reload rejected: bad", DateTimeOffset.UtcNow);
        var server = Start(tokenFile: null);
        using var stream = await _http.GetStreamAsync(new Uri(server.Address, "/events"));
        using var reader = new StreamReader(stream);

        Assert.Contains("\"event\":\"reload_rejected\"", await ReadFrameAsync(reader, "hub_event"));
        Assert.Equal(Status.GetRawText(), await ReadFrameAsync(reader, "status"));

        _feed.ReloadRejected("hub", "/etc/keepwire/keepwire.yaml", "reload rejected: worse", DateTimeOffset.UtcNow);
        Assert.Contains("worse", await ReadFrameAsync(reader, "hub_event"));
    }

    [Fact]
    public async Task With_a_token_file_every_request_needs_the_token_as_a_bearer_header_or_the_cookie_that_opening_it_once_sets()
    {
        var tokenFile = Path.Combine(_directory, "dashboard.token");
        File.WriteAllText(tokenFile, Token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var server = Start(tokenFile);
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

        Assert.Equal(HttpStatusCode.Unauthorized, (await noRedirects.GetAsync(new Uri(server.Address, "/status"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await noRedirects.GetAsync(new Uri(server.Address, "/?token=wrong"))).StatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, "/status")) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", Token) } };
        Assert.Equal(HttpStatusCode.OK, (await noRedirects.SendAsync(bearer)).StatusCode);
        var opened = await noRedirects.GetAsync(new Uri(server.Address, $"/?token={Token}"));
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var cookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"));
        Assert.Contains("HttpOnly", cookie);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Address, "/status")) { Headers = { { "Cookie", cookie.Split(';')[0] } } };
        Assert.Equal(HttpStatusCode.OK, (await noRedirects.SendAsync(withCookie)).StatusCode);
    }

    [Fact]
    public void A_token_file_others_can_read_is_refused_with_the_config_line_and_what_to_run()
    {
        var tokenFile = Path.Combine(_directory, "open.token");
        File.WriteAllText(tokenFile, Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<ConfigInvalidException>(() => Start(tokenFile));

        Assert.StartsWith("cluster.yaml:30: secret file", error.Message);
        Assert.Contains($"chmod 600 {tokenFile}", error.Message);
    }

    private DashboardServer Start(string? tokenFile)
    {
        var settings = new DashboardSettings(new IPEndPoint(IPAddress.Loopback, FreePort()), tokenFile, "cluster.yaml:30");
        _server = new DashboardServer(settings, _ => Task.FromResult<JsonElement?>(Status), _feed, NullLogger.Instance);
        _server.Start();
        return _server;
    }

    private static async Task<string> ReadFrameAsync(StreamReader reader, string name)
    {
        string? eventName = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                eventName = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == name)
                return line["data: ".Length..];
        }

        throw new EndOfStreamException($"the stream ended before a {name} frame");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public void Dispose() => _http.Dispose();
}
