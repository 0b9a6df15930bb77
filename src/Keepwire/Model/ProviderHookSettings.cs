namespace Keepwire.Model;

/// <summary>How the VIPs of a hub pair reach the hub that holds them.</summary>
public enum VipMover
{
    /// <summary>keepalived announces them with gratuitous ARP / unsolicited NA: the hubs and their router share one layer-2 segment.</summary>
    Arp,

    /// <summary>
    /// The provider routes each VIP to a hub's own address, and moves it only when asked through its API: the
    /// holding hub runs the provider hook until the provider confirms, and re-asserts when it drifts.
    /// </summary>
    Provider,
}

/// <summary>
/// The program a hub of a pair runs, level-triggered, while it holds the VIPs and the provider routes them
/// (<c>hub_pair.vip_mover: provider</c>): <c>COMMAND… assign VIP…</c> until it exits 0, then
/// <c>COMMAND… check VIP…</c> every <paramref name="CheckInterval"/>, assigning again when a check fails.
/// See docs/provider-hooks.md for the protocol.
/// </summary>
/// <param name="Command">The program (an absolute path) and its own arguments; the action and the VIPs follow them.</param>
/// <param name="Timeout">One call's limit: past it the hook's whole process group is killed and the call counts as failed.</param>
/// <param name="CheckInterval">Between a confirmed assignment (or a passed check) and the next check.</param>
public sealed record ProviderHookSettings(IReadOnlyList<string> Command, TimeSpan Timeout, TimeSpan CheckInterval)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>The command compared word by word (a record compares lists by reference), so a reload of the same file changes nothing.</summary>
    public bool Equals(ProviderHookSettings? other) =>
        other is not null && Timeout == other.Timeout && CheckInterval == other.CheckInterval && Command.SequenceEqual(other.Command, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Timeout, CheckInterval, string.Join('\0', Command));
}
