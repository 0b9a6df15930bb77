namespace Keepwire.Model;

/// <summary>
/// A check the site agent runs on the site itself (a replica's lag, a disk, a local daemon) and
/// reports to the hub: exit 0 passes, anything else or running past <paramref name="Timeout"/> fails.
/// </summary>
/// <param name="Name">How reports and events name the check.</param>
/// <param name="Command">The program and its arguments; run without a shell.</param>
/// <param name="Timeout">How long one run may take before it counts as failed.</param>
public sealed record LocalCheck(string Name, IReadOnlyList<string> Command, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
}
