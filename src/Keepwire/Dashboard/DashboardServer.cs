using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Keepwire.Configuration;
using Keepwire.Hub;
using Keepwire.Model;
using Keepwire.Notifications;
using Microsoft.Extensions.Logging;

namespace Keepwire.Dashboard;

/// <summary>
/// The hub's read-only web dashboard on its own listener (<c>dashboard:</c>): one page (HTML, CSS and JS
/// embedded in this assembly, nothing fetched from elsewhere) that opens a server-sent event stream and
/// redraws from it, no reload. The stream carries the status <c>keepwire status</c> shows (services with
/// serving site and why, sites with tunnel, handshake age and check state), sent once a second and at once
/// after every event, and the hub's events (switches with how long a failover took, sites down and up).
/// A plain <see cref="HttpListener"/>, not ASP.NET Core, so the hub stays small. Loopback by default; a client
/// from elsewhere must show the bearer token of <see cref="DashboardSettings.TokenFile"/> (an Authorization
/// header, or a cookie set by opening <c>/?token=TOKEN</c> once). Read only: it serves GET and nothing else.
/// </summary>
public sealed partial class DashboardServer : IHubEventSink, IAsyncDisposable
{
    /// <summary>Open event streams at most: each holds a connection and a queue.</summary>
    public const int MaxClients = 16;

    private const string CookieName = "keepwire_token";
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(1);

    private readonly DashboardSettings _settings;
    private readonly string? _token;
    private readonly Func<CancellationToken, Task<JsonElement?>> _status;
    private readonly HubEventFeed _feed;
    private readonly ILogger _logger;
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<DashboardClient> _clients = [];
    private readonly SemaphoreSlim _statusDue = new(0, 1);
    private Task _accepting = Task.CompletedTask;
    private Task _statusLoop = Task.CompletedTask;

    /// <param name="status">The hub's status as <c>keepwire status --json</c> gives it, or null when the hub cannot answer now.</param>
    /// <exception cref="ConfigInvalidException">The token file is unusable.</exception>
    public DashboardServer(DashboardSettings settings, Func<CancellationToken, Task<JsonElement?>> status, HubEventFeed feed, ILogger logger)
    {
        _settings = settings;
        _token = settings.TokenFile is { } path ? SecretFile.Read(path, settings.Origin) : null;
        _status = status;
        _feed = feed;
        _logger = logger;
        var host = settings.Listen.Address.Equals(IPAddress.Any) || settings.Listen.Address.Equals(IPAddress.IPv6Any) ? "+"
            : settings.Listen.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{settings.Listen.Address}]" : settings.Listen.Address.ToString();
        _listener.Prefixes.Add($"http://{host}:{settings.Listen.Port}/");
        Address = new Uri($"http://{settings.Listen}/");
    }

    /// <summary>Where it listens.</summary>
    public Uri Address { get; }

    /// <exception cref="HttpListenerException">The address is taken or cannot be bound.</exception>
    public void Start()
    {
        _listener.Start();
        _feed.Subscribe(this);
        _accepting = Task.Run(() => AcceptAsync(_stopping.Token));
        _statusLoop = Task.Run(() => SendStatusAsync(_stopping.Token));
        Log.Listening(_logger, Address, _token is null ? "loopback clients only" : "a bearer token for every client");
    }

    /// <summary>From the hub's loop: queue the event for every open stream and send a fresh status soon.</summary>
    public void Publish(HubEvent hubEvent)
    {
        var frame = Frame("hub_event", Encoding.UTF8.GetString(NotificationPayloads.Document(hubEvent)));
        lock (_gate)
        {
            foreach (var client in _clients)
                client.Offer(frame);
        }

        StatusDue();
    }

    private void StatusDue()
    {
        try
        {
            _statusDue.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already due.
        }
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(stopping);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context, stopping), stopping);
        }
    }

    private async Task ServeAsync(HttpListenerContext context, CancellationToken stopping)
    {
        var response = context.Response;
        try
        {
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers["Cache-Control"] = "no-store";
            if (context.Request.HttpMethod != "GET")
            {
                await RespondAsync(response, 405, "text/plain", "read only: GET only\n");
                return;
            }

            var path = context.Request.Url?.AbsolutePath ?? "/";
            if (!Authorized(context.Request))
            {
                if (path == "/" && context.Request.QueryString["token"] is { } offered && Matches(offered))
                {
                    response.Headers["Set-Cookie"] = $"{CookieName}={offered}; Path=/; HttpOnly; SameSite=Strict";
                    response.Redirect("/");
                    response.Close();
                    return;
                }

                response.Headers["WWW-Authenticate"] = "Bearer";
                await RespondAsync(response, 401, "text/plain", "this dashboard needs its token: open /?token=TOKEN once, or send Authorization: Bearer TOKEN\n");
                return;
            }

            switch (path)
            {
                case "/":
                    await RespondAsync(response, 200, "text/html; charset=utf-8", Page("dashboard.html"));
                    break;
                case "/dashboard.css":
                    await RespondAsync(response, 200, "text/css; charset=utf-8", Page("dashboard.css"));
                    break;
                case "/dashboard.js":
                    await RespondAsync(response, 200, "text/javascript; charset=utf-8", Page("dashboard.js"));
                    break;
                case "/status":
                    await RespondAsync(response, 200, "application/json", (await _status(stopping))?.GetRawText() ?? "null");
                    break;
                case "/events":
                    await StreamAsync(context, stopping);
                    break;
                default:
                    await RespondAsync(response, 404, "text/plain", "not found\n");
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The browser went away, or the hub stops: nothing to tell anyone.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Closed already.
            }
        }
    }

    /// <summary>One server-sent event stream: the latest events and the status at once, then whatever comes.</summary>
    private async Task StreamAsync(HttpListenerContext context, CancellationToken stopping)
    {
        var response = context.Response;
        var client = new DashboardClient();
        lock (_gate)
        {
            if (_clients.Count >= MaxClients)
                client = null;
            else
                _clients.Add(client);
        }

        if (client is null)
        {
            await RespondAsync(response, 503, "text/plain", $"at most {MaxClients} dashboards at once\n");
            return;
        }

        try
        {
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            var output = response.OutputStream;
            var start = new StringBuilder("retry: 1000\n\n");
            foreach (var hubEvent in _feed.Recent())
                start.Append(Frame("hub_event", Encoding.UTF8.GetString(NotificationPayloads.Document(hubEvent))));
            if (await _status(stopping) is { } status)
                start.Append(Frame("status", status.GetRawText()));
            await WriteAsync(output, start.ToString(), stopping);
            await foreach (var frame in client.Frames.ReadAllAsync(stopping))
                await WriteAsync(output, frame, stopping);
        }
        finally
        {
            lock (_gate)
                _clients.Remove(client);
        }
    }

    /// <summary>Once a second while someone watches (handshake ages move), and at once after an event.</summary>
    private async Task SendStatusAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _statusDue.WaitAsync(StatusEvery, stopping);
                bool watched;
                lock (_gate)
                    watched = _clients.Count > 0;
                if (!watched || await _status(stopping) is not { } status)
                    continue;
                var frame = Frame("status", status.GetRawText());
                lock (_gate)
                {
                    foreach (var client in _clients)
                        client.Offer(frame);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.StatusFailed(_logger, e.Message);
            }
        }
    }

    private bool Authorized(HttpListenerRequest request)
    {
        if (_token is null)
            return IPAddress.IsLoopback(request.RemoteEndPoint.Address);
        var header = request.Headers["Authorization"];
        if (header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(header["Bearer ".Length..].Trim()))
            return true;
        return request.Cookies[CookieName] is { } cookie && Matches(cookie.Value);
    }

    private bool Matches(string offered) =>
        _token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(offered), Encoding.UTF8.GetBytes(_token));

    private static string Frame(string name, string json) => $"event: {name}\ndata: {json}\n\n";

    private static async Task WriteAsync(Stream output, string text, CancellationToken cancellationToken)
    {
        await output.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static async Task RespondAsync(HttpListenerResponse response, int status, string contentType, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    private static string Page(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Keepwire.Dashboard.Page.{name}")
            ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public async ValueTask DisposeAsync()
    {
        _feed.Unsubscribe(this);
        await _stopping.CancelAsync();
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (ObjectDisposedException)
        {
            // Never started.
        }

        await Task.WhenAll(_accepting, _statusLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
        _statusDue.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "dashboard on {Address} ({Access})")]
        public static partial void Listening(ILogger logger, Uri address, string access);

        [LoggerMessage(Level = LogLevel.Warning, Message = "dashboard: cannot read the hub's status: {Error}")]
        public static partial void StatusFailed(ILogger logger, string error);
    }
}
