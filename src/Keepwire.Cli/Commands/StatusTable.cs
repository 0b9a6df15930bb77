using System.Globalization;
using Keepwire.Hub;
using Keepwire.Hub.Pair;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// Renders a <see cref="HubStatus"/> as plain aligned text (it must read well in a terminal, a log and a test).
/// Every piece of text is escaped (<see cref="TerminalText"/>): reasons and check details carry what sites report
/// and what probes read, which must never reach the operator's terminal as control sequences or extra lines.
/// </summary>
internal static class StatusTable
{
    /// <summary>A site's checks are listed one by one up to this many; beyond, counted (failing ones still named).</summary>
    private const int ChecksListedPerSite = 4;

    /// <summary>The summary names at most this many services that are off their first-choice site.</summary>
    private const int ProblemsListed = 20;

    public static void Write(TextWriter output, HubStatus status)
    {
        WriteHeader(output, status);
        WriteServices(output, status.Services);
        output.WriteLine();
        WriteSites(output, status.Sites, serving: null);
    }

    /// <summary>
    /// For a hub with more services than fit a screen: how many are where they should be, the ones that are not
    /// (up to <see cref="ProblemsListed"/>), every site with the number of services it serves, and how to ask for more.
    /// </summary>
    public static void WriteSummary(TextWriter output, HubStatus status)
    {
        var summary = HubStatusSummary.Of(status);
        WriteHeader(output, status);
        output.WriteLine($"{summary.Services} services: {summary.OnFirstChoice} on their first-choice site, {summary.Elsewhere} on another, {summary.Unserved} not served");
        var off = status.Services.Where(s => s.IsOffFirstChoice).ToList();
        if (off.Count > 0)
        {
            output.WriteLine();
            WriteServices(output, off.Take(ProblemsListed));
            if (off.Count > ProblemsListed)
                output.WriteLine($"… and {off.Count - ProblemsListed} more: keepwire status --problems");
        }
        output.WriteLine();
        WriteSites(output, status.Sites, summary.ServingBySite);
        output.WriteLine();
        output.WriteLine("more: keepwire status SERVICE…  |  --site SITE  |  --problems  |  --all");
    }

    private static void WriteHeader(TextWriter output, HubStatus status)
    {
        output.WriteLine($"hub {TerminalText.Escape(status.Node)}  config {TerminalText.Escape(status.ConfigPath)} (loaded {status.ConfigLoadedAt:u})");
        if (status.LastError is not null)
            output.WriteLine($"last error: {TerminalText.EscapeLines(status.LastError)}");
        if (status.LastReload is { } reload)
            output.WriteLine($"last reload {reload.At:u}: {(reload.Succeeded ? "" : "FAILED, ")}{TerminalText.EscapeLines(reload.Message)}");
        if (status.StateError is not null)
            output.WriteLine($"state not saved: {TerminalText.EscapeLines(status.StateError)}");
        if (status.Loop is { } loop)
            output.WriteLine($"hub loop: max lag {loop.MaxLagMilliseconds:0} ms in the last minute; {loop.InconclusiveProbes} probes and {loop.InconclusiveLiveness} liveness losses not counted because the hub stalled");
        if (status.Memory is { } memory)
            output.WriteLine($"hub memory: {memory.ResidentMib:0.#} MiB resident, managed heap {memory.ManagedHeapMib:0.#} MiB of {memory.ManagedCommittedMib:0.#} MiB committed{(memory.Gen0BudgetMib is { } budget ? $" (gen 0 budget {budget:0.#} MiB)" : "")}; {memory.AllocatedMib:0} MiB allocated since start, collections {string.Join('/', memory.Collections)} (gen 0/1/2)");
        if (status.Pair is { } pair)
            WritePair(output, pair);
        output.WriteLine();
    }

    /// <summary>
    /// ADDRESSES: the VIPs, or a routed service's prefixes after "routed"; SERVING: the site, and the LAN server it
    /// forwards to when it is a router; PINNED names the operator's pin (keepwire failover), which holds until keepwire unpin.
    /// </summary>
    private static void WriteServices(TextWriter output, IEnumerable<ServiceStatus> services) =>
        WriteRows(output, ["SERVICE", "ADDRESSES", "SERVING", "PINNED", "SINCE", "EPOCH", "REASON"], services.Select(s => new[]
        {
            s.Name,
            (s.Mode == "routed" ? "routed " : "") + (s.Addresses.Count == 0 ? "-" : string.Join(' ', s.Addresses)),
            s.ServingSite is null ? "-" : s.Backend is { } backend ? $"{s.ServingSite} → {backend}" : s.ServingSite,
            s.PinnedSite ?? "-",
            s.Since?.ToString("u") ?? "-",
            s.Epoch.ToString(),
            s.Reason,
        }));

    /// <param name="serving">With a summary: services served per site, shown in a SERVES column.</param>
    private static void WriteSites(TextWriter output, IReadOnlyList<SiteStatus> sites, IReadOnlyDictionary<string, int>? serving)
    {
        string[] header = serving is null
            ? ["SITE", "PRIO", "MODE", "HEALTH", "LIVENESS", "HANDSHAKE", "ENDPOINT", "TUNNEL", "CHECKS"]
            : ["SITE", "PRIO", "MODE", "HEALTH", "LIVENESS", "HANDSHAKE", "ENDPOINT", "TUNNEL", "SERVES", "CHECKS"];
        WriteRows(output, header, sites.Select(s =>
        {
            List<string> row =
            [
                s.Name + (s.Drained ? " (drained)" : ""),
                s.Priority.ToString(),
                s.Mode,
                s.Health,
                s.Liveness?.ToString() ?? "-",
                s.HandshakeAgeSeconds is { } age ? $"{age:0}s ago" : "never",
                s.Endpoint ?? "-",
                string.Join(' ', s.TunnelAddresses),
            ];
            if (serving is not null)
                row.Add(serving.GetValueOrDefault(s.Name).ToString());
            row.Add(DescribeChecks(s.Checks));
            return row.ToArray();
        }));
    }

    /// <summary>Each check with its state and detail; a site with many counted by state, naming those that do not pass.</summary>
    private static string DescribeChecks(IReadOnlyList<CheckStatus> checks)
    {
        if (checks.Count == 0)
            return "-";
        if (checks.Count <= ChecksListedPerSite)
            return string.Join(", ", checks.Select(Describe));
        var counts = checks.GroupBy(c => c.State).OrderBy(g => g.Key == "healthy" ? 0 : 1).Select(g => $"{g.Count()} {g.Key}");
        var notPassing = checks.Where(c => c.State != "healthy").ToList();
        var named = notPassing.Count == 0 ? "" : ": " + string.Join(", ", notPassing.Take(2).Select(Describe)) + (notPassing.Count > 2 ? ", …" : "");
        return string.Join(", ", counts) + named;
    }

    private static string Describe(CheckStatus c) => c.Detail is null ? $"{c.Name}:{c.State}" : $"{c.Name}:{c.State} ({c.Detail})";

    internal static void WriteRows(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows.Select(row => row.Select(TerminalText.Escape).ToArray()));
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }

    private static void WritePair(TextWriter output, PairStatus pair)
    {
        var vips = pair.HoldsVips ? "holds the VIPs" : "does not hold the VIPs";
        var yielding = pair.Yielding ? ", giving them up" : "";
        var heard = pair.PeerLastHeardSecondsAgo is { } ago ? $"heard {ago:0.0}s ago{(pair.PeerHoldsVips == true ? ", holds the VIPs" : "")}" : "never heard";
        output.WriteLine($"pair: {pair.Role}, {vips}{yielding} ({TerminalText.Escape(pair.Reason)})");
        output.WriteLine($"peer {TerminalText.Escape(pair.Peer)}: {(pair.PeerAlive ? "alive" : "silent")}, {heard}; keepalived pid {pair.KeepalivedPid?.ToString(CultureInfo.InvariantCulture) ?? "none"}; sync messages admitted {pair.SyncAdmitted}");
        if (pair.ProviderHook is { } hook)
            WriteProviderHook(output, hook);
    }

    private static void WriteProviderHook(TextWriter output, ProviderHookStatus hook)
    {
        var confirmed = hook.ConfirmedAt is { } at ? $", provider confirmed {at.ToLocalTime():HH:mm:ss}" : "";
        var failing = hook.ConsecutiveFailures > 0 ? $", {hook.ConsecutiveFailures} failure(s) in a row" : "";
        output.WriteLine($"provider hook: {hook.State}{confirmed}{failing}; {hook.Assigns} assigns, {hook.Checks} checks, {hook.Drifts} drifts, {hook.Failures} failures");
        if (hook.LastFailure is { } failure)
            output.WriteLine($"  last failure {hook.LastFailureAt?.ToLocalTime():HH:mm:ss}: {TerminalText.Escape(failure)}");
    }
}
