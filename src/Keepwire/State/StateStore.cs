using Keepwire.Configuration.Parsing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keepwire.State;

/// <summary>
/// Keeps <see cref="OperatorIntent"/> in <c>STATE_DIR/intent.json</c>, written atomically and durably.
/// Reading it never stops a hub from starting: an unusable file reads as no pins and no drains, and entries
/// that cannot be right (not a service or site name) are dropped, each case logged.
/// </summary>
public sealed class StateStore(string stateDirectory, ILogger? logger = null)
{
    private const string Lost = "the operator's pins and drains: redo them with keepwire failover/drain";

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public string StateDirectory { get; } = stateDirectory;

    private string IntentPath => Path.Combine(StateDirectory, "intent.json");

    public OperatorIntent LoadIntent()
    {
        if (StateFile.Read<StoredIntent>(IntentPath, _logger, Lost) is not { } stored)
            return OperatorIntent.None;

        var problems = new List<string>();
        var pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (service, site) in stored.PinnedSiteByService ?? [])
        {
            if (NameSyntax.CheckName(service) is null && site is not null && NameSyntax.CheckName(site) is null)
                pins[service] = site;
            else
                problems.Add("a pin whose service or site is not a name");
        }

        var drained = new List<string>();
        foreach (var site in stored.DrainedSites ?? [])
        {
            if (site is not null && NameSyntax.CheckName(site) is null)
            {
                if (!drained.Contains(site))
                    drained.Add(site);
            }
            else
            {
                problems.Add("a drained site that is not a site name");
            }
        }

        if (problems.Count > 0)
            Log.StateEntriesDropped(_logger, IntentPath, problems.Count, string.Join("; ", problems.Take(3)), pins.Count + drained.Count);
        return new OperatorIntent(pins, drained, Math.Max(0, stored.Revision ?? 0));
    }

    public void SaveIntent(OperatorIntent intent) =>
        StateFile.Write(IntentPath, new StoredIntent(intent.PinnedSiteByService.ToDictionary(pin => pin.Key, string? (pin) => pin.Value), [.. intent.DrainedSites], intent.Revision));

    /// <param name="Revision">Absent in files written before revisions: 0.</param>
    internal sealed record StoredIntent(Dictionary<string, string?>? PinnedSiteByService, List<string?>? DrainedSites, long? Revision = null);
}
