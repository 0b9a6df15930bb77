using System.Collections.Concurrent;
using System.Net;

namespace Keepwire.IntegrationTests.Notifications;

/// <summary>A webhook request as the receiver got it.</summary>
public sealed record ReceivedWebhook(DateTimeOffset At, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A webhook receiver on the loopback of a lab namespace: records every request, and answers 204 after
/// <see cref="AnswerAfter"/> (a slow receiver holds every request that long).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private int _holding;

    public WebhookReceiver(string networkNamespace, int port, TimeSpan answerAfter)
    {
        AnswerAfter = answerAfter;
        Url = $"http://127.0.0.1:{port}/hook";
        _listener = NamespaceListener.Start(networkNamespace, port);
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public TimeSpan AnswerAfter { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>Requests received and not answered yet.</summary>
    public int Holding => Volatile.Read(ref _holding);

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stopping.Token);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                Interlocked.Increment(ref _holding);
                try
                {
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
                    Received.Enqueue(new ReceivedWebhook(DateTimeOffset.UtcNow, context.Request.Url?.AbsolutePath ?? "", headers, body.ToArray()));
                    await Task.Delay(AnswerAfter, _stopping.Token);
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
                {
                    // The hub gave up on the request, or the test ends.
                }
                finally
                {
                    Interlocked.Decrement(ref _holding);
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Close();
        await _serving;
        _stopping.Dispose();
    }
}
