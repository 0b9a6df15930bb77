using System.Net;
using Keepwire.Model;

namespace Keepwire.Hub.Pair;

/// <summary>
/// What this hub wants the provider to do while it holds the VIPs: route <paramref name="Vips"/> here, through
/// <paramref name="Hook"/>. Two claims are the same when every part is equal, so the hub loop can hand one over on
/// every pass and only a real change (a reload, other VIPs) starts over.
/// </summary>
/// <param name="Environment">KEEPWIRE_HUB, KEEPWIRE_PEER, their addresses and KEEPWIRE_VIPS; the runner adds the action and the attempt.</param>
public sealed record VipClaim(ProviderHookSettings Hook, IReadOnlyList<IPAddress> Vips, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The VIPs separated by spaces, as KEEPWIRE_VIPS and the log carry them.</summary>
    public string VipText { get; } = string.Join(' ', Vips);

    public bool Equals(VipClaim? other) =>
        other is not null
        && Hook.Equals(other.Hook)
        && Vips.SequenceEqual(other.Vips)
        && Environment.Count == other.Environment.Count
        && Environment.All(e => other.Environment.TryGetValue(e.Key, out var value) && value == e.Value);

    public override int GetHashCode() => HashCode.Combine(Hook, Vips.Count, Environment.Count);

    /// <summary>The claim of <paramref name="hub"/>, whose pair peer is <paramref name="peer"/>, for every VIP of the config.</summary>
    public static VipClaim For(ProviderHookSettings hook, HubNode hub, HubNode peer, IReadOnlyList<IPAddress> vips) =>
        new(hook, vips, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["KEEPWIRE_HUB"] = hub.Name,
            ["KEEPWIRE_HUB_ADDRESS"] = hub.PairAddress?.ToString() ?? "",
            ["KEEPWIRE_PEER"] = peer.Name,
            ["KEEPWIRE_PEER_ADDRESS"] = peer.PairAddress?.ToString() ?? "",
            ["KEEPWIRE_VIPS"] = string.Join(' ', vips),
        });
}
