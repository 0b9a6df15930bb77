using System.Net.Http.Headers;
using Keepwire.Adapters.Processes;

namespace Keepwire.Notifications;

/// <summary>
/// The real transport: HTTP through one shared <see cref="HttpClient"/> (connections reused, no response body
/// read beyond its headers, no redirects followed, so a receiver cannot send the hub elsewhere) and programs through
/// <see cref="ICommandRunner"/> (argument list, no shell). The caller's token carries the per-attempt timeout.
/// </summary>
public sealed class NotificationTransport(ICommandRunner runner) : INotificationTransport, IDisposable
{
    /// <summary>What an exec receiver's output may cost the hub: only its first line is ever logged.</summary>
    private const int OutputLimit = 16 * 1024;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxResponseHeadersLength = 64,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task PostAsync(NotificationRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
        message.Headers.UserAgent.ParseAdd("keepwire");
        foreach (var (name, value) in request.Headers)
            message.Headers.TryAddWithoutValidation(name, value);
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
                throw new NotificationFailedException($"answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            throw new NotificationFailedException(e.Message, e);
        }
    }

    public async Task RunAsync(NotificationCommand command, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(command.Command[0], [.. command.Command.Skip(1)], environment: command.Environment, outputLimit: OutputLimit, cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            var output = (string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError).Trim();
            var firstLine = output.Split('\n', 2)[0];
            throw new NotificationFailedException($"exited with {result.ExitCode}{(firstLine.Length > 0 ? ": " + firstLine : "")}");
        }
    }

    public void Dispose() => _http.Dispose();
}
