using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.Routing;

namespace Keepwire.Adapters.Keepalived;

/// <summary>
/// Which of the VIPs are on the public interface right now: the hub's role, read level-triggered from the
/// kernel instead of from keepalived's notify scripts (which run late, out of order, or not at all when
/// keepalived is killed). keepalived adds the VIPs when it becomes MASTER and removes them when it leaves.
/// </summary>
public sealed class VipOwnership(IRouting routing)
{
    public async Task<VipHolding> ReadAsync(string device, IReadOnlyCollection<IPAddress> vips, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<InterfaceAddress> present;
        try
        {
            present = await routing.GetAddressesAsync(device, cancellationToken);
        }
        catch (CommandFailedException e) when (e.Result.StandardError.Contains("does not exist", StringComparison.Ordinal))
        {
            // No interface, no VIPs: this hub cannot be the active one.
            present = [];
        }
        var addresses = present.Select(address => address.Address).ToHashSet();
        return new VipHolding(
            [.. vips.Where(addresses.Contains)],
            [.. vips.Where(vip => !addresses.Contains(vip))]);
    }
}

/// <summary>The VIPs found on the interface, and those that are not.</summary>
public sealed record VipHolding(IReadOnlyList<IPAddress> Held, IReadOnlyList<IPAddress> Missing)
{
    /// <summary>Every VIP is here: this hub is the active one.</summary>
    public bool All => Held.Count > 0 && Missing.Count == 0;

    /// <summary>At least one VIP is here (all of them, or keepalived is between adding and removing them).</summary>
    public bool Any => Held.Count > 0;
}
