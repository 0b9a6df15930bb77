// Not a test: bench/metrics-rss/run measures what the metrics cost in RSS (see bench/RESULTS.md).
using System.Net;
using System.Net.Sockets;
using System.Text;
using Keepwire.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

static long Rss() => long.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
static void Settle() { for (var i = 0; i < 3; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); } Thread.Sleep(500); }
static async Task<int> Get(int port)
{
    using var tcp = new TcpClient();
    await tcp.ConnectAsync(IPAddress.Loopback, port);
    var stream = tcp.GetStream();
    await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
    var buffer = new MemoryStream();
    await stream.CopyToAsync(buffer);
    return (int)buffer.Length;
}
var port = int.Parse(args[0]);
// The harness's own socket code, warmed before the baseline.
using (var warm = new TcpListener(IPAddress.Loopback, 0)) { warm.Start(); var accept = warm.AcceptTcpClientAsync(); using var c = new TcpClient(); await c.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)warm.LocalEndpoint).Port); (await accept).Dispose(); }
Settle();
var baseline = Rss();
var metrics = new HubMetrics();
Settle();
var registry = Rss();
var endpoint = new MetricsEndpoint(new IPEndPoint(IPAddress.Loopback, port), metrics.Registry, NullLogger.Instance);
endpoint.Start();
var bytes = 0;
for (var i = 0; i < 50 && bytes == 0; i++) { try { bytes = await Get(port); } catch (SocketException) { await Task.Delay(100); } }
for (var i = 0; i < 20; i++) bytes = await Get(port);
Settle();
var served = Rss();
Console.WriteLine($"{{\"rss_baseline_kib\":{baseline},\"hub_metrics_registry_added_kib\":{registry - baseline},\"listener_and_20_scrapes_added_kib\":{served - registry},\"total_added_kib\":{served - baseline},\"response_bytes\":{bytes}}}");
await endpoint.DisposeAsync();
