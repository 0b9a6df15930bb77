namespace Keepwire.Adapters.Nftables;

/// <summary>What the kernel holds for one nftables table: its identity, its comment and the elements of its sets and maps.</summary>
/// <param name="Handle">The kernel's handle for the table; it changes only when the table is deleted and created again.</param>
/// <param name="Comment">The table's comment, or null when it has none.</param>
/// <param name="Elements">Every set and map of the table by name (empty ones included), with their elements.</param>
public sealed record NftTableState(
    string Family,
    string Name,
    long Handle,
    string? Comment,
    IReadOnlyDictionary<string, IReadOnlySet<NftElement>> Elements);
