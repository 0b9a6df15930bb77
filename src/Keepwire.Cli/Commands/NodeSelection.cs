using Keepwire.Configuration;

namespace Keepwire.Cli.Commands;

/// <summary>
/// Which node of the configuration this machine is, when <c>--node</c> is not given: the only hub (or site)
/// in the file, as in a site's own file written by <c>keepwire join</c> or a single hub's; otherwise the
/// one named like this host (the old <c>--node %H</c> of the units).
/// </summary>
internal static class NodeSelection
{
    /// <returns>The node's name, or null with <paramref name="error"/> saying what to do.</returns>
    public static string? Resolve(string configPath, string? given, bool hub, out string? error)
    {
        error = null;
        if (given is not null)
            return given;
        var loaded = ConfigLoader.Load(configPath);
        if (loaded.Config is not { } config)
        {
            error = string.Join('\n', loaded.Errors);
            return null;
        }

        var role = hub ? "hub" : "site";
        var names = hub ? config.Hubs.Select(h => h.Name).ToList() : config.Sites.Select(s => s.Name).ToList();
        if (names.Count == 1)
            return names[0];
        var host = Environment.MachineName;
        var shortHost = host.Split('.')[0];
        if (names.FirstOrDefault(n => n == host || n == shortHost) is { } named)
            return named;
        error = names.Count == 0
            ? $"{configPath} has no {role}"
            : $"{configPath} has {names.Count} {role}s ({string.Join(", ", names)}) and none is named like this host ({host}): say which one this is with --node NAME";
        return null;
    }
}
