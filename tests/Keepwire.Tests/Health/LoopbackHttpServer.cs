using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Keepwire.Tests.Health;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for probe tests: answers every request with a fixed status
/// and body (or never answers, on every connection or on the first few), records the requests, and
/// counts connections.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task serving;
    private int connections;

    /// <param name="silentConnections">The first this many connections get no answer, like requests lost on the way.</param>
    public LoopbackHttpServer(int status = 200, string body = "ok", bool respond = true, int silentConnections = 0)
    {
        Status = status;
        Body = body;
        Respond = respond;
        SilentConnections = silentConnections;
        listener.Start();
        serving = Task.Run(ServeAsync);
    }

    public int Status { get; }

    public string Body { get; }

    public bool Respond { get; }

    public int SilentConnections { get; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref connections);

    public System.Collections.Concurrent.ConcurrentQueue<string> Requests { get; } = new();

    private async Task ServeAsync()
    {
        var clients = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token);
                var number = Interlocked.Increment(ref connections);
                clients.Add(HandleAsync(client, respond: Respond && number > SilentConnections));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or ObjectDisposedException or SocketException)
        {
            // Stopped: Stop() may land between a cancellation check and the next accept.
        }

        await Task.WhenAll(clients);
    }

    private async Task HandleAsync(TcpClient client, bool respond)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadHeadAsync(stream);
                Requests.Enqueue(request);
                if (!respond)
                {
                    await Task.Delay(Timeout.Infinite, stopping.Token);
                    return;
                }

                var body = Encoding.UTF8.GetBytes(Body);
                var head = $"HTTP/1.1 {Status} Whatever\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stopping.Token);
                await stream.WriteAsync(body, stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, stopping.Token);
            if (read == 0)
                break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await serving;
        stopping.Dispose();
    }
}
