using System.Globalization;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// The file keepalived's <c>track_file</c> watches: "0 reason" while this hub may hold the VIPs,
/// "1 reason" when it must give them up (keepalived goes to FAULT and the peer takes over). keepalived
/// reads only the leading number, so the reason is for the operator who reads the file.
/// </summary>
public sealed class KeepalivedTrackFile(string path)
{
    public string Path { get; } = path;

    /// <summary>Writes the state atomically; returns false (and writes nothing) when the file already says exactly this.</summary>
    public async Task<bool> WriteAsync(bool healthy, string reason, CancellationToken cancellationToken = default)
    {
        var content = Format(healthy, reason);
        if (AtomicTextFile.ReadOrNull(Path) == content)
            return false;
        await AtomicTextFile.WriteAsync(Path, content, AtomicTextFile.WorldReadable, cancellationToken);
        return true;
    }

    /// <summary>What the file says now: null when it is missing (keepalived reads a missing file as 0, healthy).</summary>
    public TrackFileState? Read()
    {
        var content = AtomicTextFile.ReadOrNull(Path);
        if (content is null)
            return null;
        var text = content.Trim();
        var split = text.IndexOf(' ');
        var number = split < 0 ? text : text[..split];
        var reason = split < 0 ? "" : text[(split + 1)..];
        // Like keepalived (strtol): anything that is not a non-zero number counts as 0.
        var healthy = !long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value == 0;
        return new TrackFileState(healthy, reason);
    }

    public static string Format(bool healthy, string reason)
    {
        // One line: keepalived parses the first number, and an operator reads the line with cat.
        var line = string.Join(' ', reason.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return $"{(healthy ? 0 : 1)} {line}".TrimEnd() + "\n";
    }
}

public sealed record TrackFileState(bool Healthy, string Reason);
