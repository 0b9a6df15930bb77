using Keepwire.Site;
using Keepwire.Text;

namespace Keepwire.Cli.Commands;

/// <summary>
/// Renders a <see cref="SiteAgentStatus"/>: one row per hub tunnel, then the sync relay's counters in a pair.
/// Text is escaped as in <see cref="StatusTable"/> (the table's cells there, the header lines here).
/// </summary>
internal static class SiteStatusTable
{
    public static void Write(TextWriter output, SiteAgentStatus status)
    {
        output.WriteLine($"site {TerminalText.Escape(status.Site)}  config loaded {status.ConfigLoadedAt:u}, last pass {status.LastReconcileAt?.ToString("u") ?? "never"}");
        if (status.LastError is not null)
            output.WriteLine($"last error: {TerminalText.EscapeLines(status.LastError)}");
        output.WriteLine();

        StatusTable.WriteRows(output, ["HUB", "INTERFACE", "HANDSHAKE", "ENDPOINT", "DIALS"], status.Tunnels.Select(t => new[]
        {
            t.Hub,
            t.Interface,
            t.HandshakeAgeSeconds is { } age ? $"{age:0}s ago" : "never",
            t.ResolvedEndpoint ?? "-",
            t.HubEndpoint,
        }));
        if (status.SyncRelay is { } relay)
        {
            output.WriteLine();
            output.WriteLine($"hub sync relay on port {relay.Port}: listening on {relay.Listening} address(es), relayed {relay.Relayed}, dropped {relay.Dropped} (not from a hub), failed sends {relay.SendFailures}");
        }
    }
}
