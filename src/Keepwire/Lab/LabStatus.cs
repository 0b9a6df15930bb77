using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Keepwire.Lab;

/// <summary>One glance at a lab: what exists, what runs, which tunnels are up and which site serves.</summary>
public sealed record LabStatus(
    string Prefix,
    string StateDirectory,
    bool StateDirectoryExists,
    IReadOnlyList<LabNamespaceStatus> Namespaces,
    IReadOnlyList<LabProcessStatus> Processes,
    IReadOnlyList<LabHandshakeStatus> Handshakes,
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
        text.AppendLine("  handshakes with the hub:");
        foreach (var handshake in Handshakes)
        {
            var age = handshake.AgeSeconds is { } seconds ? $"{seconds:0} s ago" : "none";
            text.AppendLine(CultureInfo.InvariantCulture, $"    {handshake.Site,-10} {age}");
        }
        text.AppendLine("  serving (asked from the client):");
        foreach (var serving in Serving)
            text.AppendLine(CultureInfo.InvariantCulture, $"    {serving.Service,-5} {serving.Vip,-24} {serving.Site ?? "nobody: " + serving.Error}");
        return text.ToString();
    }
}

public sealed record LabNamespaceStatus(string Name, bool Exists);

public sealed record LabProcessStatus(string Name, int Pid, bool Alive);

/// <param name="LatestHandshake">The hub's latest handshake with the site; null when there was none (or the hub's interface is missing).</param>
public sealed record LabHandshakeStatus(string Site, DateTimeOffset? LatestHandshake, double? AgeSeconds);

/// <param name="Vip">The address:port asked, e.g. <c>203.0.113.80:80</c> or <c>[2001:db8:113::80]:7</c>.</param>
/// <param name="Site">The site that answered; null when none did (see <paramref name="Error"/>).</param>
public sealed record LabServingStatus(string Service, string Vip, string? Site, string? Error);
