using Keepwire.Adapters.Keepalived;
using Keepwire.Configuration;
using Keepwire.Model;

namespace Keepwire.Onboarding.Editing;

/// <summary>
/// Changes a configuration file safely: the file must be valid before, the edited text is loaded and
/// validated like any config (and checked by the caller for what the edit must and must not have
/// changed), and only then replaces the file in one rename, keeping its mode. A refused edit leaves
/// the file exactly as it was.
/// </summary>
public static class ConfigFileUpdate
{
    /// <param name="edit">The text-level edit, from the current text and its validated config.</param>
    /// <param name="verify">Given the config before and after, a reason to refuse the result, or null to accept it.</param>
    /// <returns>The config as it is now in the file.</returns>
    /// <exception cref="ConfigEditException">The file is invalid, the edit is refused, or the result does not validate.</exception>
    public static async Task<ClusterConfig> ApplyAsync(
        string path, Func<string, ClusterConfig, string> edit, Func<ClusterConfig, ClusterConfig, string?> verify, CancellationToken cancellationToken)
    {
        var (text, before) = ReadValid(path);
        var edited = edit(text, before);
        var after = ConfigLoader.Parse(edited, path);
        if (after.Config is not { } config)
        {
            throw new ConfigEditException(
                $"the edited configuration does not validate, so {path} was left unchanged:\n{string.Join('\n', after.Errors)}");
        }
        if (verify(before, config) is { } refusal)
            throw new ConfigEditException($"{refusal}; {path} was left unchanged");

        var mode = File.GetUnixFileMode(path);
        await AtomicTextFile.WriteAsync(path, edited, mode, cancellationToken);
        return config;
    }

    /// <summary>The file's text and its validated config, or an error that lists what to fix first.</summary>
    public static (string Text, ClusterConfig Config) ReadValid(string path)
    {
        var loaded = ConfigLoader.Load(path);
        if (loaded.Config is not { } config)
            throw new ConfigEditException($"{path} does not validate; fix it first (keepwire check {path}):\n{string.Join('\n', loaded.Errors)}");
        return (File.ReadAllText(path), config);
    }

    /// <summary>
    /// Why <paramref name="after"/> is not <paramref name="before"/> plus the intended change, or null: every
    /// hub stays as it was, and every site other than <paramref name="changedSite"/> keeps its key, priority and
    /// tunnel addresses (an edit that moved another site's allocated address would silently cut it off).
    /// </summary>
    public static string? OthersUnchanged(ClusterConfig before, ClusterConfig after, string changedSite)
    {
        if (!before.Hubs.SequenceEqual(after.Hubs, HubComparer.Instance))
            return "the edit would have changed a hub";
        foreach (var site in before.Sites.Where(s => s.Name != changedSite))
        {
            if (after.FindSite(site.Name) is not { } now)
                return $"the edit would have removed site '{site.Name}'";
            if (now.PublicKey != site.PublicKey || now.Priority != site.Priority || now.Tunnel != site.Tunnel || now.Mode != site.Mode)
                return $"the edit would have changed site '{site.Name}' (its key, priority, mode or tunnel addresses)";
        }
        return null;
    }

    private sealed class HubComparer : IEqualityComparer<HubNode>
    {
        public static readonly HubComparer Instance = new();

        public bool Equals(HubNode? x, HubNode? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Endpoint == y.Endpoint && x.PublicKey == y.PublicKey && x.Tunnel == y.Tunnel;

        public int GetHashCode(HubNode obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
