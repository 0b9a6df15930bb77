using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keepwire.Lab;

/// <summary>One glance at a lab: what exists, what runs, which tunnels are up, which hub holds the VIPs and which site serves.</summary>
/// <param name="VipHolders">The hubs with at least one VIP on their public interface: one when all is well, two in a split brain.</param>
public sealed record LabStatus(
    string Prefix,
    string StateDirectory,
    bool StateDirectoryExists,
    IReadOnlyList<LabNamespaceStatus> Namespaces,
    IReadOnlyList<LabProcessStatus> Processes,
    IReadOnlyList<LabHandshakeStatus> Handshakes,
    IReadOnlyList<string> VipHolders,
    IReadOnlyList<LabServingStatus> Serving)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToText()
    {
        var text = new StringBuilder();
        var missing = Namespaces.Where(n => !n.Exists).Select(n => n.Name).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"lab {Prefix}  state {StateDirectory}{(StateDirectoryExists ? "" : " (missing)")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  namespaces: {Namespaces.Count(n => n.Exists)}/{Namespaces.Count}{(missing.Count == 0 ? "" : " missing " + string.Join(", ", missing))}");
        text.AppendLine("  processes:");
        foreach (var process in Processes)
            text.AppendLine(CultureInfo.InvariantCulture, $"    {process.Name,-22} pid {process.Pid,-8} {(process.Alive ? "alive" : "DEAD")}");
        foreach (var hub in Handshakes.GroupBy(h => h.Hub))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  handshakes with {(hub.Key == "hub" ? "the hub" : hub.Key)}:");
            foreach (var handshake in hub)
            {
                var age = handshake.AgeSeconds is { } seconds ? $"{seconds:0} s ago" : "none";
                text.AppendLine(CultureInfo.InvariantCulture, $"    {handshake.Site,-10} {age}");
            }
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"  VIPs held by: {(VipHolders.Count == 0 ? "no hub" : string.Join(", ", VipHolders))}");
        text.AppendLine("  serving (asked from the client):");
        foreach (var serving in Serving)
            text.AppendLine(CultureInfo.InvariantCulture, $"    {serving.Service,-5} {serving.Vip,-24} {serving.Site ?? "nobody: " + serving.Error}");
        return text.ToString();
    }
}

public sealed record LabNamespaceStatus(string Name, bool Exists);

public sealed record LabProcessStatus(string Name, int Pid, bool Alive);

/// <param name="LatestHandshake">The hub's latest handshake with the site; null when there was none (or the hub's interface is missing).</param>
/// <param name="Hub">The hub whose view this is (hub, or hub1/hub2 in a pair).</param>
public sealed record LabHandshakeStatus(string Site, DateTimeOffset? LatestHandshake, double? AgeSeconds, string Hub);

/// <param name="Vip">The address:port asked, e.g. <c>203.0.113.80:80</c> or <c>[2001:db8:113::80]:7</c>.</param>
/// <param name="Site">The site that answered; null when none did (see <paramref name="Error"/>).</param>
public sealed record LabServingStatus(string Service, string Vip, string? Site, string? Error);
