using System.Globalization;
using Keepwire.Adapters.Processes;
using Keepwire.Lab;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// A client that keeps asking: <c>count</c> sequential curl requests (or as many as fit until
/// <see cref="StopAsync"/>) from the client namespace or another lab host, cycling through the given URLs with a short pause
/// between them, each with its own timeout. It runs as one shell loop inside the namespace (starting
/// a process per request from the test would pace the loop by process start-up instead). Every
/// request reports one <see cref="RequestOutcome"/>: when it started, curl's exit code, whether and
/// when its TCP connection was established (curl's <c>%{time_connect}</c>), and the answer or error.
/// The outcomes go to a file as they come, so a test can wait for the client to have seen something
/// (<see cref="WaitForAsync"/>) instead of guessing how long a slow machine needs.
/// </summary>
public sealed class RequestLoop : IAsyncDisposable
{
    // One line per request appended to $work/requests, tab-separated: start and end (epoch seconds,
    // taken before curl starts and after it exits, so the request lies within them however long curl
    // takes to start on a loaded machine), curl's exit code, "time_connect time_total http_code", the
    // URL, then the body's first line (ok) or curl's error. The body and the error go through files
    // ($work/body, $work/error) so that neither can mix into the numbers; the body file is emptied
    // first, since curl leaves it alone when nothing arrives.
    private const string Script = """
        count=$1; pause=$2; connect=$3; maxtime=$4; stop=$5; work=$6; shift 6
        i=0
        while [ "$count" -eq 0 ] || [ "$i" -lt "$count" ]; do
            for url in "$@"; do
                [ "$count" -eq 0 ] || [ "$i" -lt "$count" ] || break
                [ -z "$stop" ] || [ ! -e "$stop" ] || exit 0
                : > "$work/body"
                start=$(date +%s.%N)
                times=$(curl --silent --show-error --connect-timeout "$connect" --max-time "$maxtime" \
                    --output "$work/body" --write-out '%{time_connect} %{time_total} %{http_code}' "$url" 2>"$work/error")
                code=$?
                end=$(date +%s.%N)
                text=""
                if [ "$code" -eq 0 ]; then
                    IFS= read -r text < "$work/body" || true
                else
                    IFS= read -r text < "$work/error" || true
                fi
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$start" "$end" "$code" "$times" "$url" "$text" >> "$work/requests"
                i=$((i + 1))
                sleep "$pause"
            done
        done
        """;

    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Generous: a request may wait out SYN retransmissions (1, 3, 7 s) on a loaded 2-core machine.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(40);

    private readonly CancellationTokenSource cancel = new();
    private readonly Task<CommandResult> run;
    private readonly string workDirectory;
    private readonly string requestsFile;
    private readonly string? stopFile;

    private RequestLoop(LabHandle lab, string host, int count, TimeSpan pause, TimeSpan connectTimeout, TimeSpan requestTimeout, IReadOnlyList<string> urls)
    {
        workDirectory = Directory.CreateTempSubdirectory("keepwire-request-loop-").FullName;
        requestsFile = Path.Combine(workDirectory, "requests");
        if (count == 0)
            stopFile = Path.Combine(workDirectory, "stop");
        run = lab.ExecAsync(
            host,
            ["sh", "-c", Script, "request-loop", count.ToString(CultureInfo.InvariantCulture), Seconds(pause), Seconds(connectTimeout), Seconds(requestTimeout), stopFile ?? "", workDirectory, .. urls],
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

    /// <summary>The requests finished so far (complete lines only: the loop may be writing the next one).</summary>
    public RequestLoopResult SoFar()
    {
        var text = File.Exists(requestsFile) ? File.ReadAllText(requestsFile) : "";
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return new([.. complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(RequestOutcome.Parse)]);
    }

    /// <summary>
    /// Waits for an answer to a request that started at or after <paramref name="since"/> (a fault, a
    /// switch the hub reported): only such a request shows what the client meets from then on. A loop on a
    /// slow machine, or one whose request waits out SYN retransmissions, may take seconds to make one.
    /// </summary>
    public Task<RequestOutcome> WaitForAnswerAfterAsync(DateTimeOffset since, string what) =>
        WaitForAsync($"answered after {what} ({since:HH:mm:ss.fff})", r => r.Succeeded && r.Started >= since, AnswerTimeout);

    /// <summary>
    /// Waits until a finished request is <paramref name="wanted"/> (e.g. answered by bravo and started
    /// after the switch) and returns it; fails naming <paramref name="what"/> and what the client saw.
    /// </summary>
    public async Task<RequestOutcome> WaitForAsync(string what, Func<RequestOutcome, bool> wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var soFar = SoFar();
            if (soFar.Requests.FirstOrDefault(wanted) is { } found)
                return found;
            Assert.True(IsRunning, $"the request loop ended before {what}:\n{soFar.Timeline()}");
            Assert.True(DateTime.UtcNow < deadline, $"no request {what} within {timeout.TotalSeconds} s:\n{soFar.Timeline()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the last request and returns every request's outcome.</summary>
    public async Task<RequestLoopResult> CompleteAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(run, Task.Delay(timeout));
        Assert.True(finished == run, $"the request loop did not finish within {timeout.TotalSeconds} s");
        var result = await run;
        Assert.True(result.Succeeded, $"the request loop itself failed ({result.ExitCode}): {result.StandardError}");
        return SoFar();
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
        Directory.Delete(workDirectory, recursive: true);
    }
}
