namespace Keepwire.Adapters.Nftables;

public enum NftablesFailure
{
    /// <summary><c>nft -f</c> rejected the script; nothing of it was applied (a script is one transaction).</summary>
    ScriptRejected,

    /// <summary><c>nft list</c> failed for another reason than the table being absent.</summary>
    ListFailed,

    /// <summary><c>nft -j</c> printed something this reader does not understand.</summary>
    UnreadableListing,

    /// <summary>The <c>nft</c> program could not be started: nftables is not installed.</summary>
    NotInstalled,

    /// <summary>libnftables could not make a context (no memory, or no descriptor its <c>select()</c> can take).</summary>
    ContextUnavailable,
}

/// <summary>An nftables operation failed. For a rejected script, names the failing line of the script.</summary>
public sealed class NftablesException : Exception
{
    public NftablesException(NftablesFailure reason, string message, int? lineNumber = null, string? lineText = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        LineNumber = lineNumber;
        LineText = lineText;
    }

    public NftablesFailure Reason { get; }

    /// <summary>The 1-based line of the script nft complained about, when it said.</summary>
    public int? LineNumber { get; }

    /// <summary>The text of that line.</summary>
    public string? LineText { get; }
}
