using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Keepwire.Adapters.Nftables;

/// <summary>
/// The few functions of libnftables (the library the <c>nft</c> program is a thin shell around; Debian's
/// <c>libnftables1</c>, which <c>nftables</c> depends on) that <see cref="NftablesLibrary"/> needs. See libnftables(3).
/// </summary>
internal static partial class LibNftables
{
    public const string Library = "libnftables.so.1";

    public const uint ContextDefault = 0;

    /// <summary>NFT_CTX_OUTPUT_JSON: what <c>nft -j</c> sets.</summary>
    public const uint OutputJson = 1u << 4;

    /// <summary>NFT_CTX_OUTPUT_TERSE: what <c>nft -t</c> sets (no set elements).</summary>
    public const uint OutputTerse = 1u << 11;

    /// <summary>A context (<c>struct nft_ctx *</c>): its netlink socket, its cache of the ruleset, its output buffers. Disposing frees it.</summary>
    public sealed class Context : SafeHandleZeroOrMinusOneIsInvalid
    {
        public Context()
            : base(ownsHandle: true)
        {
        }

        protected override bool ReleaseHandle()
        {
            ContextFree(handle);
            return true;
        }
    }

    [LibraryImport(Library, EntryPoint = "nft_ctx_new")]
    public static partial Context ContextNew(uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_free")]
    private static partial void ContextFree(nint context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_output_set_flags")]
    public static partial void OutputSetFlags(Context context, uint flags);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_output")]
    public static partial int BufferOutput(Context context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_buffer_error")]
    public static partial int BufferError(Context context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_output_buffer")]
    public static partial nint GetOutputBuffer(Context context);

    [LibraryImport(Library, EntryPoint = "nft_ctx_get_error_buffer")]
    public static partial nint GetErrorBuffer(Context context);

    /// <summary>Runs commands from a string. Its errors name no line (and quote the buffer's first line): for scripts, see <see cref="RunCommandFromFile"/>.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_buffer", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCommandFromBuffer(Context context, string buffer);

    /// <summary>Runs a file as one transaction, as <c>nft -f</c> does; its errors read <c>{path}:{line}:{column}: Error: …</c>.</summary>
    [LibraryImport(Library, EntryPoint = "nft_run_cmd_from_filename", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RunCommandFromFile(Context context, string path);

    /// <summary>Whether the library can be loaded here (a machine with nftables has it).</summary>
    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(Library, typeof(LibNftables).Assembly, DllImportSearchPath.SafeDirectories, out var handle))
            return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
