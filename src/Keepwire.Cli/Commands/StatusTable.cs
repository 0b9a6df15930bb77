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
    public static void Write(TextWriter output, HubStatus status)
    {
        output.WriteLine($"hub {TerminalText.Escape(status.Node)}  config {TerminalText.Escape(status.ConfigPath)} (loaded {status.ConfigLoadedAt:u})");
        if (status.LastError is not null)
            output.WriteLine($"last error: {TerminalText.EscapeLines(status.LastError)}");
        if (status.Pair is { } pair)
            WritePair(output, pair);
        output.WriteLine();

        WriteRows(output, ["SERVICE", "SERVING", "SINCE", "EPOCH", "REASON"], status.Services.Select(s => new[]
        {
            s.Name, s.ServingSite ?? "-", s.Since?.ToString("u") ?? "-", s.Epoch.ToString(), s.Reason,
        }));
        output.WriteLine();
        WriteRows(output, ["SITE", "PRIO", "MODE", "HEALTH", "HANDSHAKE", "ENDPOINT", "TUNNEL", "CHECKS"], status.Sites.Select(s => new[]
        {
            s.Name + (s.Drained ? " (drained)" : ""),
            s.Priority.ToString(),
            s.Mode,
            s.Health,
            s.HandshakeAgeSeconds is { } age ? $"{age:0}s ago" : "never",
            s.Endpoint ?? "-",
            string.Join(' ', s.TunnelAddresses),
            s.Checks.Count == 0 ? "-" : string.Join(", ", s.Checks.Select(c => c.Detail is null ? $"{c.Name}:{c.State}" : $"{c.Name}:{c.State} ({c.Detail})")),
        }));
    }

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
    }
}
