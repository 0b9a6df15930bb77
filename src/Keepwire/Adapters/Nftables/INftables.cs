namespace Keepwire.Adapters.Nftables;

/// <summary>The nftables operations the reconciler needs: read one table, apply a script as one transaction.</summary>
public interface INftables
{
    /// <summary>Reads a table's comment and the elements of its sets and maps; null when the table does not exist.</summary>
    /// <param name="family">The table family, e.g. <c>inet</c>.</param>
    Task<NftTableState?> ReadTableAsync(string family, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies <paramref name="script"/> with <c>nft -f -</c>: all of it or, on any error, none of it.
    /// Throws <see cref="NftablesException"/> naming the failing line.
    /// </summary>
    Task ApplyAsync(string script, CancellationToken cancellationToken = default);

    /// <summary>
    /// The ruleset generation: a number the kernel changes with every committed transaction in any table, so an
    /// unchanged number means no table changed. Null when it cannot be read cheaply (then every reconcile lists).
    /// </summary>
    Task<uint?> ReadGenerationAsync(CancellationToken cancellationToken = default);
}
