using Keepwire.Adapters.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.Lab;

/// <summary>
/// Builds, finds and removes network-namespace labs: a hub (or a hub pair), three sites (one behind
/// NAT), a client and a bridge standing for the internet, all on one machine. Needs root.
/// </summary>
public sealed partial class NetworkLab(ICommandRunner runner, ILogger? logger = null)
{
    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Builds a lab: namespaces and links, /etc/netns hosts files, keys, the cluster config,
    /// nginx and the UDP echo on every site, and, with <see cref="LabOptions.StartDaemons"/>, the
    /// daemons (waiting until every site has a handshake with the hub). If anything fails, what
    /// was built is torn down again before the error is thrown.
    /// </summary>
    public async Task<LabHandle> UpAsync(LabOptions options, CancellationToken cancellationToken = default)
    {
        var topology = LabTopology.Create(options.Prefix, options.HubPair, options.ProviderRouted, options.SiteRouter);
        if (options.Conntrackd && !options.HubPair)
            throw new ArgumentException("LabOptions.Conntrackd needs LabOptions.HubPair: conntrackd syncs the two hubs of a pair.", nameof(options));
        if (options.KeepwireCommand.Count == 0)
            throw new ArgumentException($"no keepwire beside {AppContext.BaseDirectory}: build keepwire and the lab into one directory (dotnet build src/Keepwire.Cli -o DIR), or set LabOptions.KeepwireCommand.", nameof(options));

        var paths = new LabPaths(options.StateRoot, options.Prefix);
        if (Directory.Exists(paths.Root))
            throw new LabException($"A lab {options.Prefix} already exists ({paths.Root}); remove it with `keepwire lab down {options.Prefix}` first.");
        if ((await LabTeardown.ListNamespacesAsync(runner, cancellationToken)).Any(ns => ns.StartsWith(options.Prefix + "-", StringComparison.Ordinal)))
            throw new LabException($"Network namespaces named {options.Prefix}-* already exist; remove them with `keepwire lab down {options.Prefix}` first.");

        Log.BuildingLab(logger, options.Prefix, paths.Root);
        var handle = new LabHandle(this, runner, paths, topology, options.KeepwireCommand, logger, options.HubCommand);
        try
        {
            await BuildAsync(handle, paths, options, cancellationToken);
        }
        catch (Exception e)
        {
            Log.BuildFailed(logger, e, options.Prefix, options.KeepOnFailure ? "kept for inspection" : "tearing down what was built");
            if (!options.KeepOnFailure)
                await handle.DownAsync(CancellationToken.None);
            throw;
        }
        Log.LabUp(logger, options.Prefix);
        return handle;
    }

    /// <summary>Opens a lab another process built (for <c>keepwire lab status</c> and friends).</summary>
    public LabHandle Open(string prefix, string stateRoot = LabOptions.DefaultStateRoot)
    {
        LabNaming.EnsureValidPrefix(prefix);
        var paths = new LabPaths(stateRoot, prefix);
        var manifest = LabManifest.Read(paths.ManifestFile);
        return new LabHandle(this, runner, paths, manifest.Topology, manifest.KeepwireCommand, logger, manifest.HubCommand);
    }

    /// <summary>Removes everything the lab <paramref name="prefix"/> made, in whatever state it is; safe to repeat.</summary>
    public Task DownAsync(string prefix, string stateRoot = LabOptions.DefaultStateRoot, CancellationToken cancellationToken = default)
    {
        LabNaming.EnsureValidPrefix(prefix);
        return new LabTeardown(runner, new LabPaths(stateRoot, prefix), logger).RunAsync(cancellationToken);
    }

    /// <summary>
    /// The labs on this machine: every state directory under <paramref name="stateRoot"/>, and
    /// every lab internet namespace (<c>kwXXXX-net</c>) even when its state directory is gone.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListAsync(string stateRoot = LabOptions.DefaultStateRoot, CancellationToken cancellationToken = default)
    {
        var fromStateDirectories = Directory.Exists(stateRoot)
            ? Directory.EnumerateDirectories(stateRoot).Select(Path.GetFileName).OfType<string>().Where(LabNaming.IsValidPrefix)
            : [];
        var fromNamespaces = LabNaming.LabPrefixesFromNamespaces(await LabTeardown.ListNamespacesAsync(runner, cancellationToken));
        return fromStateDirectories.Concat(fromNamespaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes every lab <see cref="ListAsync"/> finds, also after a crashed or killed run; returns their prefixes.</summary>
    public async Task<IReadOnlyList<string>> DownAllAsync(string stateRoot = LabOptions.DefaultStateRoot, CancellationToken cancellationToken = default)
    {
        var prefixes = await ListAsync(stateRoot, cancellationToken);
        var failures = new List<Exception>();
        foreach (var prefix in prefixes)
        {
            try
            {
                await DownAsync(prefix, stateRoot, cancellationToken);
            }
            catch (LabException e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
            throw new LabException(string.Join("\n", failures.Select(f => f.Message)), new AggregateException(failures));
        return prefixes;
    }

    private async Task BuildAsync(LabHandle handle, LabPaths paths, LabOptions options, CancellationToken cancellationToken)
    {
        var topology = handle.Topology;
        CreateStateDirectories(paths);
        // The manifest first: from here on the lab is findable (and removable) by its state directory.
        new LabManifest(options.Prefix, options.KeepwireCommand, DateTimeOffset.UtcNow, topology.IsHubPair, topology.IsProviderRouted, topology.Lan is not null, options.HubCommand)
            .Write(paths.ManifestFile);

        var network = new LabNetworkBuilder(runner, topology);
        await network.BuildAsync(cancellationToken);
        network.WriteHostsFiles();

        var keys = new LabKeys(runner, paths);
        var publicKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in topology.Nodes)
            publicKeys[node] = await keys.CreateAsync(node, cancellationToken);
        await File.WriteAllTextAsync(paths.ConfigFile, LabConfigWriter.Render(topology, paths, publicKeys, options.Conntrackd), cancellationToken);

        var processes = new LabProcesses(runner, paths, logger);
        new LabEchoServer(runner, paths, processes).Prepare();
        var extraPorts = topology.Lan?.Servers.Select(s => s.Port).ToList() ?? [];
        foreach (var site in topology.Sites)
            new LabWebServer(runner, paths, processes).Prepare(site.Name, options.BigFileBytes, extraPorts);
        foreach (var server in topology.Lan?.Servers ?? [])
            new LabWebServer(runner, paths, processes).Prepare(server.Name, options.BigFileBytes, [server.Port]);
        await handle.StartServersAsync(cancellationToken);
        if (topology.IsProviderRouted)
            await handle.StartProviderApiAsync(cancellationToken);

        if (options.StartDaemons)
        {
            await handle.StartDaemonsAsync(cancellationToken);
            await handle.WaitForDaemonsReadyAsync(options.DaemonStartTimeout, cancellationToken);
        }
    }

    private static void CreateStateDirectories(LabPaths paths)
    {
        Directory.CreateDirectory(paths.KeysDirectory, LabFileModes.OwnerOnlyDirectory);
        // Mode set explicitly, whatever the umask: nginx workers run as nobody and serve from the site directories.
        foreach (var directory in new[] { Path.GetDirectoryName(paths.Root)!, paths.Root, paths.PidsDirectory, paths.LogsDirectory, paths.SitesDirectory })
            LabFileModes.CreateWorldReadableDirectory(directory);
    }
}
