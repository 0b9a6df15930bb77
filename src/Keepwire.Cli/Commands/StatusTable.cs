using Keepwire.Hub;

namespace Keepwire.Cli.Commands;

/// <summary>Renders a <see cref="HubStatus"/> as plain aligned text (it must read well in a terminal, a log and a test).</summary>
internal static class StatusTable
{
    public static void Write(TextWriter output, HubStatus status)
    {
        output.WriteLine($"hub {status.Node}  config {status.ConfigPath} (loaded {status.ConfigLoadedAt:u})");
        if (status.LastError is not null)
            output.WriteLine($"last error: {status.LastError}");
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
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
