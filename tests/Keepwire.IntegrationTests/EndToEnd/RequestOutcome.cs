using System.Globalization;

namespace Keepwire.IntegrationTests.EndToEnd;

/// <summary>
/// One request of a <see cref="RequestLoop"/>. A failed request either never got its TCP connection
/// (<see cref="FailedToConnect"/>: curl's <c>%{time_connect}</c> is 0, e.g. exit 7 refused or 28 timed
/// out connecting), which is what a failover must never cause, or lost an established connection
/// (<see cref="FailedInFlight"/>: reset, recv failure, truncated, timed out waiting for the answer),
/// which no switch can save for a request that was in flight when its site died. bench/lib/analyze.py
/// makes the same split (failed_connect, failed_in_flight).
/// </summary>
/// <remarks>
/// The times err on the side of a longer request: <see cref="Started"/> is taken just before curl is
/// started and <see cref="Ended"/> just after it exits, and <see cref="Connected"/> adds curl's own
/// <c>time_connect</c> to <see cref="Started"/>, so it is never later than the real connect. Curl's
/// start-up (tens of milliseconds on a loaded machine) once made a request reset by nginx's stop
/// seem to have ended before the stop began: <c>start + time_total</c> falls short of the real end
/// by exactly that start-up.
/// </remarks>
/// <param name="Started">Just before curl started (the client's clock, which is the machine's).</param>
/// <param name="ExitCode">curl's exit code: 0 is an answer.</param>
/// <param name="Connected">When the TCP connection was established, at the latest; null if it never was.</param>
/// <param name="Ended">Just after curl finished, with an answer or an error.</param>
/// <param name="Text">The answer's first line (<c>site=alpha client=…</c>) or curl's error.</param>
public sealed record RequestOutcome(DateTimeOffset Started, int ExitCode, DateTimeOffset? Connected, DateTimeOffset Ended, int HttpCode, string Url, string Text)
{
    public bool Succeeded => ExitCode == 0;

    public bool FailedToConnect => !Succeeded && Connected is null;

    public bool FailedInFlight => !Succeeded && Connected is not null;

    /// <summary>The request's connection was up when <paramref name="fault"/> struck and the request was still waiting then.</summary>
    public bool InFlightAt(Fault fault) => Connected is { } connected && connected <= fault.End && Ended >= fault.Start;

    /// <summary>
    /// The request failed to connect while <paramref name="fault"/> was still being caused: it ended inside the
    /// fault's own span (a link going down and a server stopping take a few milliseconds each), before any hub
    /// could have seen anything. Such a connect is in flight at the instant of the fault, not a failed switch;
    /// one that fails after the fault is done is. A CI run once failed a test on exactly this: a connect begun
    /// 2 ms before "hub1's link cut and alpha's nginx stopped" started was refused 7 ms later, 1 ms before both were done.
    /// How a connection the site accepted looks never connected: the site's kernel completes the handshake before
    /// nginx accepts it; when the stopping nginx closes its listener, the kernel resets every connection still
    /// queued there, and a curl that had not yet looked at its socket (a loaded machine) reads that reset as its
    /// connect's error (SO_ERROR ECONNRESET: exit 7, <c>time_connect</c> 0). Such a reset is not a refusal of a
    /// SYN, so the hub rightly passes it on.
    /// </summary>
    public bool FailedWhileCausing(Fault fault) => FailedToConnect && Ended >= fault.Start && Ended <= fault.End;

    /// <summary>Parses a line of the loop: start, end, exit code, "time_connect time_total http_code", URL, text (tab-separated).</summary>
    public static RequestOutcome Parse(string line)
    {
        var fields = line.Split('\t', 6);
        if (fields.Length != 6)
            throw new FormatException($"not a request loop line: '{line}'");
        var started = EpochSeconds(fields[0]);
        var times = fields[3].Split(' ');
        var connect = times.Length == 3 ? double.Parse(times[0], CultureInfo.InvariantCulture) : 0;
        var httpCode = times.Length == 3 ? int.Parse(times[2], CultureInfo.InvariantCulture) : 0;
        return new RequestOutcome(
            started,
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            connect > 0 ? started + TimeSpan.FromSeconds(connect) : null,
            EpochSeconds(fields[1]),
            httpCode,
            fields[4],
            fields[5]);
    }

    private static DateTimeOffset EpochSeconds(string text) =>
        DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

    public override string ToString() =>
        Succeeded
            ? $"ok {Text}"
            : $"FAIL {Url} at {Started:HH:mm:ss.fff} ({(Connected is { } c ? $"connected at {c:HH:mm:ss.fff}, lost" : "never connected")}, curl exit {ExitCode}, ended {Ended:HH:mm:ss.fff}): {Text}";
}

/// <summary>A fault a test caused, from just before it began to just after it was done (a site's nginx stopped, a link cut).</summary>
public sealed record Fault(string What, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>Runs <paramref name="cause"/> and returns its time span.</summary>
    public static async Task<Fault> CauseAsync(string what, Func<Task> cause)
    {
        var start = DateTimeOffset.UtcNow;
        await cause();
        return new Fault(what, start, DateTimeOffset.UtcNow);
    }

    public override string ToString() => $"{What} {Start:HH:mm:ss.fff}–{End:HH:mm:ss.fff}";
}

public sealed record RequestLoopResult(IReadOnlyList<RequestOutcome> Requests)
{
    public IReadOnlyList<RequestOutcome> Failures => [.. Requests.Where(r => !r.Succeeded)];

    /// <summary>The bodies of the requests that succeeded, e.g. <c>site=alpha client=203.0.113.100</c>.</summary>
    public IReadOnlyList<string> Answers => [.. Requests.Where(r => r.Succeeded).Select(r => r.Text)];

    /// <summary>
    /// Failures that none of <paramref name="faults"/> explains: every failed connect but one that failed while a
    /// fault was being caused, and every lost connection that was not up and waiting at one of them. Zero is what a
    /// failover promises.
    /// </summary>
    public IReadOnlyList<RequestOutcome> FailuresNotInFlightAt(params Fault[] faults) =>
        [.. Failures.Where(r => !faults.Any(f => r.InFlightAt(f) || r.FailedWhileCausing(f)))];

    /// <summary>Every request on its own line (start, duration, outcome), to read what the client saw around a fault.</summary>
    public string Timeline() =>
        string.Join("\n", Requests.Select(r => $"{r.Started:HH:mm:ss.fff} {(r.Ended - r.Started).TotalSeconds,6:0.000}s {r}"));

    /// <summary>How many answers each distinct body got and how each failure failed, for readable assertion messages.</summary>
    public string Summary(params Fault[] faults)
    {
        var answers = Requests.Where(r => r.Succeeded).GroupBy(r => r.Text).Select(g => $"{g.Count()}× ok {g.Key}");
        var failures = Failures;
        var text = string.Join("; ", answers);
        if (failures.Count > 0)
        {
            text += $"; {failures.Count} failed ({failures.Count(f => f.FailedToConnect)} never connected, {failures.Count(f => f.FailedInFlight)} lost an established connection)";
            text += faults.Length > 0 ? $"; faults: {string.Join(", ", faults.Select(f => f.ToString()))}" : "";
            text += $"; failures: {string.Join(" | ", failures.Take(8))}";
        }
        return text;
    }
}
