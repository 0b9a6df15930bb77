using System.Globalization;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// A client that keeps asking: <c>count</c> sequential curl requests (or as many as fit until
/// <see cref="StopAsync"/>) from the client namespace or another lab host, cycling through the given URLs with a short pause
/// between them, each with its own timeout. It runs as one shell loop inside the namespace (starting
/// a process per request from the test would pace the loop by process start-up instead). Every
/// request reports one line: <c>ok BODY</c> or <c>FAIL URL: curl's error</c>.
/// </summary>
public sealed class RequestLoop : IAsyncDisposable
{
    private const string Script = """
        count=$1; pause=$2; connect=$3; maxtime=$4; stop=$5; shift 5
        i=0
        while [ "$count" -eq 0 ] || [ "$i" -lt "$count" ]; do
            for url in "$@"; do
                [ "$count" -eq 0 ] || [ "$i" -lt "$count" ] || break
                [ -z "$stop" ] || [ ! -e "$stop" ] || exit 0
                if out=$(curl --silent --show-error --connect-timeout "$connect" --max-time "$maxtime" "$url" 2>&1); then
                    echo "ok $out"
                else
                    echo "FAIL $url: $out"
                fi
                i=$((i + 1))
                sleep "$pause"
            done
        done
        """;

    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(3);

    private readonly CancellationTokenSource cancel = new();
    private readonly Task<CommandResult> run;
    private readonly string? stopFile;

    private RequestLoop(LabHandle lab, string host, int count, TimeSpan pause, TimeSpan connectTimeout, TimeSpan requestTimeout, IReadOnlyList<string> urls)
    {
        if (count == 0)
            stopFile = Path.Combine(Path.GetTempPath(), $"keepwire-request-loop-{Guid.NewGuid():N}.stop");
        run = lab.ExecAsync(
            host,
            ["sh", "-c", Script, "request-loop", count.ToString(CultureInfo.InvariantCulture), Seconds(pause), Seconds(connectTimeout), Seconds(requestTimeout), stopFile ?? "", .. urls],
            cancellationToken: cancel.Token);
    }

    /// <summary><paramref name="count"/> requests, each given 3 s.</summary>
    public static RequestLoop Start(LabHandle lab, int count, TimeSpan pause, params string[] urls) =>
        new(lab, "client", count, pause, DefaultRequestTimeout, DefaultRequestTimeout, urls);

    /// <summary>
    /// Requests until <see cref="StopAsync"/>, each allowed <paramref name="connectTimeout"/> to connect
    /// (long enough for SYN retransmissions: a failover is meant to be survived by retrying) and
    /// <paramref name="requestTimeout"/> in all.
    /// </summary>
    public static RequestLoop StartUntilStopped(LabHandle lab, TimeSpan pause, TimeSpan connectTimeout, TimeSpan requestTimeout, params string[] urls) =>
        new(lab, "client", 0, pause, connectTimeout, requestTimeout, urls);

    /// <summary>Like <see cref="StartUntilStopped"/>, from another host of the lab (the hub asking sites directly, say).</summary>
    public static RequestLoop StartUntilStoppedFrom(LabHandle lab, string host, TimeSpan pause, TimeSpan connectTimeout, TimeSpan requestTimeout, params string[] urls) =>
        new(lab, host, 0, pause, connectTimeout, requestTimeout, urls);

    /// <summary>Asks a loop started with <see cref="StartUntilStopped"/> to finish its current request and stop; returns every outcome.</summary>
    public async Task<RequestLoopResult> StopAsync(TimeSpan timeout)
    {
        if (stopFile is null)
            throw new InvalidOperationException("This loop makes a fixed number of requests; wait for it with CompleteAsync.");
        await File.WriteAllTextAsync(stopFile, "");
        return await CompleteAsync(timeout);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>True while requests are still being made.</summary>
    public bool IsRunning => !run.IsCompleted;

    /// <summary>Waits for the last request and returns every request's outcome.</summary>
    public async Task<RequestLoopResult> CompleteAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(run, Task.Delay(timeout));
        Assert.True(finished == run, $"the request loop did not finish within {timeout.TotalSeconds} s");
        var result = await run;
        Assert.True(result.Succeeded, $"the request loop itself failed ({result.ExitCode}): {result.StandardError}");
        return new RequestLoopResult(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed half-way must not leave curl running in the client namespace.
        await cancel.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
        cancel.Dispose();
        if (stopFile is not null)
            File.Delete(stopFile);
    }
}

public sealed record RequestLoopResult(IReadOnlyList<string> Lines)
{
    public IReadOnlyList<string> Failures => Lines.Where(l => !l.StartsWith("ok ", StringComparison.Ordinal)).ToList();

    /// <summary>The bodies of the requests that succeeded, e.g. <c>site=alpha client=203.0.113.100</c>.</summary>
    public IReadOnlyList<string> Answers => Lines.Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).Select(l => l[3..]).ToList();

    /// <summary>How many answers each distinct body got, for readable assertion messages.</summary>
    public string Summary() =>
        string.Join("; ", Lines.Select(l => l.StartsWith("ok ", StringComparison.Ordinal) ? l : "FAIL").GroupBy(l => l).Select(g => $"{g.Count()}× {g.Key}"))
        + (Failures.Count > 0 ? $"; first failures: {string.Join(" | ", Failures.Take(5))}" : "");
}
