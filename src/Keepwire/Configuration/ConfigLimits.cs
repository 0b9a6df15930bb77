namespace Keepwire.Configuration;

/// <summary>
/// The most a configuration file may hold. A real configuration is a few kilobytes and six levels deep; these
/// bounds are orders of magnitude above that, and far below what would cost a daemon noticeable memory, time
/// or stack when it reloads (docs/security.md lists them with the other input surfaces' limits).
/// </summary>
public static class ConfigLimits
{
    /// <summary>The file is checked for size before it is read, and never read past this plus one byte.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// Nesting of lists and mappings, counted through aliases. YAML's document model is built recursively, so
    /// without this bound a file of nested '[' overflows the stack, which no handler can catch.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>Values in the file, counting every repetition an alias makes, so a "billion laughs" stays small.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Characters in one value; the longest legitimate ones (expected HTTP bodies, UDP payloads) are short.</summary>
    public const int MaxScalarChars = 8 * 1024;

    /// <summary>Errors listed for one file; a garbage file would otherwise print one per line for pages.</summary>
    public const int MaxErrorsShown = 100;
}
