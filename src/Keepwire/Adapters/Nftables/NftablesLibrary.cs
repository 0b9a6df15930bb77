using System.Runtime.InteropServices;
using System.Text;
using Keepwire.Adapters.Posix;
using Keepwire.Adapters.Processes;

namespace Keepwire.Adapters.Nftables;

/// <summary>
/// <see cref="INftables"/> through libnftables inside the daemon, acting on the network namespace of the thread that
/// made it (the daemon's own). The same parser, the same one-transaction-per-script and the same messages as the
/// <c>nft</c> program (<see cref="NftablesCli"/>), without starting it: a spawned <c>nft -f</c> cost a switch
/// 55–70 ms between the decision and the new forwarding on the 2-core bench machine, most of the time from a
/// failover's decision to the first client served by the new site. firewalld drives nftables the same way.
/// </summary>
/// <remarks>
/// <para>
/// One context for the adapter's life, made with it, as firewalld and <c>nft -i</c> keep theirs. The library waits for
/// the kernel's answers with <c>select()</c>, which glibc aborts the whole process on when the netlink socket's
/// descriptor is 1024 or above; a context made per command took the lowest free descriptor at that moment, so a daemon
/// (or test host) that had a thousand files open died in its next transaction. The socket of a context made at start
/// stays low whatever the daemon opens later. Its cache of the ruleset does not go stale: the library compares the
/// kernel's ruleset generation before it trusts the cache, and drops the cache after any failed command.
/// </para>
/// <para>
/// Commands run one at a time (the library's contexts share process-wide state) and block their thread for the few
/// milliseconds netlink takes.
/// </para>
/// </remarks>
public sealed class NftablesLibrary : INftables, IDisposable
{
    /// <summary>glibc's FD_SETSIZE: the first descriptor <c>select()</c> cannot take.</summary>
    internal const int SelectLimit = 1024;

    /// <summary>
    /// How far below <see cref="SelectLimit"/> the lowest free descriptor must be to make a context: room for what
    /// other threads open between that check and the library's socket.
    /// </summary>
    internal const int DescriptorHeadroom = 64;

    private static readonly Lock OneAtATime = new();

    private readonly NftablesGeneration? _generation;
    private readonly LibNftables.Context _context;

    /// <exception cref="NftablesException">The library cannot make a context, or the lowest free descriptor is too high for its socket.</exception>
    public NftablesLibrary(NftablesGeneration? generation = null)
    {
        _generation = generation;
        lock (OneAtATime)
        {
            if (!CanOpenSelectableSocket(out var lowestFree))
                throw new NftablesException(
                    NftablesFailure.ContextUnavailable,
                    $"libnftables needs a descriptor below {SelectLimit} for its netlink socket and the lowest free one is {lowestFree}");
            _context = LibNftables.ContextNew(LibNftables.ContextDefault);
            if (_context.IsInvalid)
                throw new NftablesException(NftablesFailure.ContextUnavailable, "libnftables could not create a context (out of memory?)");
            // Buffered, the library writes nothing to the daemon's own stdout and stderr.
            if (LibNftables.BufferOutput(_context) != 0 || LibNftables.BufferError(_context) != 0)
            {
                _context.Dispose();
                throw new NftablesException(NftablesFailure.ContextUnavailable, "libnftables could not buffer its output");
            }
        }
    }

    /// <summary>
    /// nftables for the daemon's own namespace: through the library when it loads (it comes with the <c>nftables</c>
    /// package) and a context can be made, else through the <c>nft</c> program.
    /// </summary>
    public static INftables ForThisNamespace(ICommandRunner runner, NftablesGeneration? generation)
    {
        if (LibNftables.IsAvailable())
        {
            try
            {
                return new NftablesLibrary(generation);
            }
            catch (NftablesException)
            {
                // No descriptor select() takes, or no memory: the program still works.
            }
        }
        return new NftablesCli(runner, generation);
    }

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

    public Task<uint?> ReadGenerationAsync(CancellationToken cancellationToken = default) => Task.FromResult(_generation?.Read());

    public void Dispose()
    {
        lock (OneAtATime)
            _context.Dispose();
    }

    /// <summary>Whether the socket a context opens now would get a descriptor <c>select()</c> takes.</summary>
    private static bool CanOpenSelectableSocket(out int lowestFree)
    {
        lowestFree = Libc.LowestFreeDescriptor();
        return lowestFree < SelectLimit - DescriptorHeadroom;
    }

    private static NftTableState? AbsentOrThrow(CommandOutcome outcome, string family, string name) =>
        NftablesCli.SaysTableAbsent(outcome.Error)
            ? null
            : throw new NftablesException(NftablesFailure.ListFailed, $"`nft list table {family} {name}` failed: {outcome.Error.Trim()}");

    private CommandOutcome Run(Func<LibNftables.Context, int> command, uint outputFlags)
    {
        lock (OneAtATime)
        {
            ObjectDisposedException.ThrowIf(_context.IsClosed, this);
            LibNftables.OutputSetFlags(_context, outputFlags);
            var status = command(_context);
            // Reading a buffer also rewinds it for the next command.
            return new CommandOutcome(status == 0, Text(LibNftables.GetOutputBuffer(_context)), Text(LibNftables.GetErrorBuffer(_context)));
        }
    }

    private static string Text(nint buffer) => buffer == 0 ? "" : Marshal.PtrToStringUTF8(buffer) ?? "";

    private readonly record struct CommandOutcome(bool Succeeded, string Output, string Error);
}
