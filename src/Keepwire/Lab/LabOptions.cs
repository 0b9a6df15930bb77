using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Keepwire.Lab;

/// <summary>What <see cref="NetworkLab.UpAsync"/> builds.</summary>
public sealed record LabOptions
{
    public const string DefaultStateRoot = "/run/keepwire-lab";

    /// <summary>Starts every name the lab creates; at most <see cref="LabNaming.MaxPrefixLength"/> characters.</summary>
    public string Prefix { get; init; } = LabNaming.NewPrefix();

    /// <summary>Each lab keeps its keys, config, pids and logs in <c>{StateRoot}/{Prefix}</c>.</summary>
    public string StateRoot { get; init; } = DefaultStateRoot;

    /// <summary>
    /// The command that runs keepwire, as a program and its leading arguments (for example
    /// <c>["dotnet", "/path/keepwire.dll"]</c>); the lab appends <c>hub …</c> or <c>site …</c>.
    /// Defaults to the running keepwire itself.
    /// </summary>
    public IReadOnlyList<string> KeepwireCommand { get; init; } = CurrentKeepwireCommand();

    /// <summary>
    /// Two hubs (hub1, hub2) sharing the VIPs through keepalived instead of one hub; every site dials
    /// both. The lab puts no VIP anywhere: the hub daemons' keepalived does.
    /// </summary>
    public bool HubPair { get; init; }

    /// <summary>
    /// In a hub pair, the hubs also sync conntrack state (<c>hub_pair: { conntrackd: true }</c>), so
    /// established connections can survive a hub failover. Only with <see cref="HubPair"/>; off by
    /// default, so the default lab shows the shipped defaults.
    /// </summary>
    public bool Conntrackd { get; init; }

    /// <summary>Start the hub and site daemons and wait until every site has a handshake with the hub (each hub, in a pair).</summary>
    public bool StartDaemons { get; init; }

    /// <summary>How long to wait for the daemons to come up before failing with their logs.</summary>
    public TimeSpan DaemonStartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Leave a lab that failed to come up in place (for a look at its logs and namespaces)
    /// instead of tearing it down; remove it later with <c>keepwire lab down</c>.
    /// </summary>
    public bool KeepOnFailure { get; init; }

    /// <summary>Size of the file served at <c>/big</c>, for drain and throughput runs.</summary>
    public long BigFileBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>The command running this process, so <c>keepwire lab up</c> starts daemons of the same build.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "The entry assembly's location is read only under the dotnet host, never in a single-file build, where the process itself is keepwire.")]
    public static IReadOnlyList<string> CurrentKeepwireCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell which executable is running; set LabOptions.KeepwireCommand.");
        // Under `dotnet keepwire.dll` the process is the dotnet host: the entry assembly names keepwire.
        var isDotnetHost = Path.GetFileNameWithoutExtension(processPath) == "dotnet";
        var entryAssembly = Assembly.GetEntryAssembly()?.Location;
        return isDotnetHost && !string.IsNullOrEmpty(entryAssembly) ? [processPath, entryAssembly] : [processPath];
    }
}
