using System.Runtime.InteropServices;
using System.Text;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Nftables;

/// <summary>
/// <see cref="INftables"/> through libnftables inside the daemon, acting on the network namespace of the calling
/// thread (the daemon's own). The same parser, the same one-transaction-per-script and the same messages as the
/// <c>nft</c> program (<see cref="NftablesCli"/>), without starting it: a spawned <c>nft -f</c> cost a switch
/// 55–70 ms between the decision and the new forwarding on the 2-core bench machine, most of the time from a
/// failover's decision to the first client served by the new site. firewalld drives nftables the same way.
/// </summary>
/// <remarks>
/// One context per command, created and freed around it: a context keeps a cache of the ruleset, which another
/// program's change would make stale, and nothing survives a command to leak. Commands run one at a time (the
/// library's contexts share process-wide state) and block their thread for the few milliseconds netlink takes.
/// </remarks>
public sealed class NftablesLibrary(NftablesGeneration? generation = null) : INftables
{
    private static readonly Lock OneAtATime = new();

    /// <summary>
    /// nftables for the daemon's own namespace: through the library when it loads (it comes with the <c>nftables</c>
    /// package), else through the <c>nft</c> program.
    /// </summary>
    public static INftables ForThisNamespace(ICommandRunner runner, NftablesGeneration? generation) =>
        LibNftables.IsAvailable() ? new NftablesLibrary(generation) : new NftablesCli(runner, generation);

    public Task<NftTableState?> ReadTableAsync(string family, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = $"list table {family} {name}";
        var listing = Run(context => LibNftables.RunCommandFromBuffer(context, list), LibNftables.OutputJson);
        if (!listing.Succeeded)
            return Task.FromResult(AbsentOrThrow(listing, family, name));
        var state = NftJsonListing.Parse(listing.Output, family, name);
        if (state is null || state.Comment is not null)
            return Task.FromResult(state);

        // As with the program: nft 1.0.6 leaves table comments out of its JSON; the terse text listing has them.
        var text = Run(context => LibNftables.RunCommandFromBuffer(context, list), LibNftables.OutputTerse);
        if (!text.Succeeded)
            return Task.FromResult(AbsentOrThrow(text, family, name));
        return Task.FromResult<NftTableState?>(state with { Comment = NftablesCli.TableCommentFromText(text.Output) });
    }

    public Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // From a file, not a string: only then do errors name the script's line (the reconciler's messages quote it).
        using var file = Libc.MemoryFile("keepwire-nft", Encoding.UTF8.GetBytes(script));
        var path = $"/proc/self/fd/{file.DangerousGetHandle()}";
        var result = Run(context => LibNftables.RunCommandFromFile(context, path), 0);
        if (!result.Succeeded)
            throw NftablesCli.ScriptRejected(script, result.Error);
        return Task.CompletedTask;
    }

    public Task<uint?> ReadGenerationAsync(CancellationToken cancellationToken = default) => Task.FromResult(generation?.Read());

    private static NftTableState? AbsentOrThrow(CommandOutcome outcome, string family, string name) =>
        NftablesCli.SaysTableAbsent(outcome.Error)
            ? null
            : throw new NftablesException(NftablesFailure.ListFailed, $"`nft list table {family} {name}` failed: {outcome.Error.Trim()}");

    private static CommandOutcome Run(Func<nint, int> command, uint outputFlags)
    {
        lock (OneAtATime)
        {
            var context = LibNftables.ContextNew(LibNftables.ContextDefault);
            if (context == 0)
                throw new NftablesException(NftablesFailure.ListFailed, "libnftables could not create a context (out of memory?)");
            try
            {
                // Buffered, the library writes nothing to the daemon's own stdout and stderr.
                if (LibNftables.BufferOutput(context) != 0 || LibNftables.BufferError(context) != 0)
                    throw new NftablesException(NftablesFailure.ListFailed, "libnftables could not buffer its output");
                LibNftables.OutputSetFlags(context, outputFlags);
                var status = command(context);
                return new CommandOutcome(status == 0, Text(LibNftables.GetOutputBuffer(context)), Text(LibNftables.GetErrorBuffer(context)));
            }
            finally
            {
                LibNftables.ContextFree(context);
            }
        }
    }

    private static string Text(nint buffer) => buffer == 0 ? "" : Marshal.PtrToStringUTF8(buffer) ?? "";

    private readonly record struct CommandOutcome(bool Succeeded, string Output, string Error);
}
