using System.Globalization;
using System.Text.RegularExpressions;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Nftables;

/// <summary><see cref="INftables"/> over the <c>nft</c> program.</summary>
/// <param name="generation">
/// Reads the ruleset generation of the daemon's own namespace over netlink; null where the runner acts on another
/// namespace (<c>ip netns exec</c>: tests, the lab), whose generation the daemon's socket would not see.
/// </param>
public sealed partial class NftablesCli(ICommandRunner runner, NftablesGeneration? generation = null) : INftables
{
    private const string Nft = "nft";

    public async Task<NftTableState?> ReadTableAsync(string family, string name, CancellationToken cancellationToken = default)
    {
        var listing = await runner.RunAsync(Nft, ["-j", "list", "table", family, name], cancellationToken: cancellationToken);
        if (!listing.Succeeded)
        {
            // First: the error of a program that cannot start ("No such file or directory") would read as an absent table.
            if (listing.ExitCode == CommandResult.CannotStartExitCode)
                throw new NftablesException(NftablesFailure.NotInstalled, $"{listing.StandardError.Trim()} (apt-get install nftables)");
            if (IsAbsent(listing))
                return null;
            throw new NftablesException(NftablesFailure.ListFailed, $"`{listing.CommandLine}` exited with {listing.ExitCode}: {listing.StandardError.Trim()}");
        }

        var state = NftJsonListing.Parse(listing.StandardOutput, family, name);
        if (state is null || state.Comment is not null)
            return state;

        // nft 1.0.6 leaves table comments out of its JSON output; the terse text listing
        // (no elements) has them, so ask for that too.
        var text = await runner.RunAsync(Nft, ["-t", "list", "table", family, name], cancellationToken: cancellationToken);
        if (!text.Succeeded)
        {
            if (IsAbsent(text))
                return null;
            throw new NftablesException(NftablesFailure.ListFailed, $"`{text.CommandLine}` exited with {text.ExitCode}: {text.StandardError.Trim()}");
        }
        return state with { Comment = TableCommentFromText(text.StandardOutput) };
    }

    public async Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        var result = await runner.RunAsync(Nft, ["-f", "-"], script, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw ScriptRejected(script, result.StandardError);
    }

    public Task<uint?> ReadGenerationAsync(CancellationToken cancellationToken = default) => Task.FromResult(generation?.Read());

    /// <summary>The comment of the table in a text listing: the <c>comment "…"</c> line directly inside the table block.</summary>
    public static string? TableCommentFromText(string listing)
    {
        var match = TableCommentLine().Match(listing);
        return match.Success ? match.Groups["comment"].Value : null;
    }

    /// <summary>Builds the exception for a rejected script, naming the first line nft complained about.</summary>
    public static NftablesException ScriptRejected(string script, string standardError)
    {
        var error = ErrorLocation().Match(standardError);
        if (!error.Success)
            return new NftablesException(NftablesFailure.ScriptRejected, $"nft rejected the script: {standardError.Trim()}");

        var lineNumber = int.Parse(error.Groups["line"].Value, CultureInfo.InvariantCulture);
        var lines = script.Split('\n');
        var lineText = lineNumber >= 1 && lineNumber <= lines.Length ? lines[lineNumber - 1].Trim() : null;
        return new NftablesException(
            NftablesFailure.ScriptRejected,
            $"nft rejected line {lineNumber} of the script: {error.Groups["message"].Value.Trim()}: {lineText}",
            lineNumber,
            lineText);
    }

    private static bool IsAbsent(CommandResult result) => SaysTableAbsent(result.StandardError);

    /// <summary>Whether nft's error for a listing says the table does not exist (the program's and the library's alike).</summary>
    internal static bool SaysTableAbsent(string error) => error.Contains("No such file or directory", StringComparison.Ordinal);

    // "/dev/stdin:3:16-16: Error: syntax error, unexpected newline"
    [GeneratedRegex(@"^[^:\n]*:(?<line>\d+):\d+(?:-\d+)?: Error: (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex ErrorLocation();

    // The table's own comment is indented once; comments of sets and chains are indented deeper.
    [GeneratedRegex("^\\tcomment \"(?<comment>[^\"]*)\"$", RegexOptions.Multiline)]
    private static partial Regex TableCommentLine();
}
