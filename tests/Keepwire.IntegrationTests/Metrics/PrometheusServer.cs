using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Keepwire.Adapters.Processes;
using Keepwire.IntegrationTests.Network;

namespace Keepwire.IntegrationTests.Metrics;

/// <summary>
/// A real Prometheus server (Debian's prometheus, scripts/install-deps) inside a lab namespace: it listens on
/// that namespace's loopback, scrapes the given targets there every <see cref="ScrapeInterval"/> and keeps its
/// data in a directory of its own, removed with it. Questions go to its HTTP API (<c>/api/v1/query</c>) by
/// curl inside the namespace, as an operator's Grafana would ask. Disposing kills it by its pid (ip netns exec
/// execs prometheus, so the pid is the server's) and deletes the directory, whether the test passed or not.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    /// <summary>Small, so a test sees a change within a second; the timeout equals it (Prometheus wants timeout ≤ interval).</summary>
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _namespace;
    private readonly string _directory;
    private readonly CapturedProcess _process;
    private readonly CommandRunner _runner = new();

    private PrometheusServer(string networkNamespace, string directory, int port, CapturedProcess process)
    {
        _namespace = networkNamespace;
        _directory = directory;
        _process = process;
        Address = $"http://127.0.0.1:{port}";
    }

    public string Address { get; }

    public int Pid => _process.Process.Id;

    /// <summary>Starts the server in <paramref name="networkNamespace"/> on 127.0.0.1:<paramref name="port"/> scraping <paramref name="targets"/> (host:port there), and waits until it says it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string networkNamespace, int port, params string[] targets)
    {
        var directory = Directory.CreateTempSubdirectory("kw-prometheus-").FullName;
        var interval = $"{ScrapeInterval.TotalMilliseconds:0}ms";
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: {interval}
              scrape_timeout: {interval}
            scrape_configs:
              - job_name: keepwire
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"\"{t}\""))}]

            """);
        var start = new ProcessStartInfo("ip", [
            "netns", "exec", networkNamespace, "prometheus",
            $"--config.file={Path.Combine(directory, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        CapturedProcess process;
        try
        {
            process = new CapturedProcess(Process.Start(start)!);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }

        var server = new PrometheusServer(networkNamespace, directory, port, process);
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            Assert.False(_process.Process.HasExited, $"prometheus exited with {(_process.Process.HasExited ? _process.Process.ExitCode : 0)}: {Tail()}");
            var ready = await CurlAsync("--fail", $"{Address}/-/ready");
            if (ready.Succeeded)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"prometheus was not ready within {StartTimeout.TotalSeconds} s: {ready.StandardError} {Tail()}");
            await Task.Delay(200);
        }
    }

    /// <summary>An instant query; the API's <c>data.result</c> (a vector's samples), or the error it gave.</summary>
    public async Task<PromQueryResult> QueryAsync(string promql)
    {
        var answer = await CurlAsync("-G", "--data-urlencode", $"query={promql}", $"{Address}/api/v1/query");
        if (!answer.Succeeded)
            return new PromQueryResult(false, [], $"curl failed ({answer.ExitCode}): {answer.StandardError.Trim()}");
        using var document = JsonDocument.Parse(answer.StandardOutput);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
            return new PromQueryResult(false, [], $"{root.GetProperty("errorType").GetString()}: {root.GetProperty("error").GetString()}");
        var data = root.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "vector")
            return new PromQueryResult(true, [], null);
        var samples = data.GetProperty("result").EnumerateArray().Select(sample => new PromSample(
            sample.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
            double.Parse(sample.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture))).ToList();
        return new PromQueryResult(true, samples, null);
    }

    /// <summary>Asks <paramref name="promql"/> until it returns at least one sample; those samples.</summary>
    public async Task<IReadOnlyList<PromSample>> WaitForAsync(string promql, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(promql);
            Assert.True(result.Succeeded, $"prometheus refused '{promql}': {result.Error}");
            if (result.Samples.Count > 0)
                return result.Samples;
            Assert.True(DateTime.UtcNow < deadline, $"prometheus did not answer '{promql}' with a sample within {timeout.TotalSeconds} s; its targets: {await TargetsAsync()}");
            await Task.Delay(ScrapeInterval);
        }
    }

    /// <summary>Each target's health and last scrape error, for a failure message.</summary>
    private async Task<string> TargetsAsync()
    {
        var answer = await CurlAsync($"{Address}/api/v1/targets");
        if (!answer.Succeeded)
            return answer.StandardError.Trim();
        using var document = JsonDocument.Parse(answer.StandardOutput);
        return string.Join("; ", document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => $"{t.GetProperty("scrapeUrl").GetString()} {t.GetProperty("health").GetString()} {t.GetProperty("lastError").GetString()}"));
    }

    private Task<CommandResult> CurlAsync(params string[] arguments) =>
        _runner.RunAsync("ip", ["netns", "exec", _namespace, "curl", "--silent", "--show-error", "--max-time", "10", .. arguments]);

    private string Tail() => string.Join("\n", _process.Errors.Split('\n').TakeLast(15));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.Process.HasExited)
            {
                _process.Process.Kill();
                await _process.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            _process.Process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}

/// <summary>One sample of an instant vector: its labels (with <c>__name__</c> unless a function dropped it) and value.</summary>
internal sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What the query API answered: success and the samples, or the error.</summary>
internal sealed record PromQueryResult(bool Succeeded, IReadOnlyList<PromSample> Samples, string? Error);
