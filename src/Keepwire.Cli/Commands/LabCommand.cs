using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Keepwire.Cli.Commands;

/// <summary>
/// <c>keepwire lab …</c>: the network-namespace lab lives in its own program, keepwire-lab (src/Keepwire.Lab),
/// so the keepwire that ships on a hub carries no test lab. A development build puts keepwire-lab beside
/// keepwire; then <c>keepwire lab ARGS</c> runs it in this process with ARGS untouched (its own help included).
/// </summary>
internal static class LabCommand
{
    private const string LabAssembly = "keepwire-lab.dll";

    /// <summary>The entry in <c>keepwire --help</c>; <see cref="RunAsync"/> takes the arguments before the parser sees them.</summary>
    public static Command Create() => new("lab", "The namespace lab of the demo and the tests (keepwire-lab; in development builds only): `keepwire lab --help`.");

    /// <summary>Runs keepwire-lab's entry point with <paramref name="arguments"/>; its exit code is this command's.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026:RequiresUnreferencedCode",
        Justification = "Only development builds (JIT, nothing trimmed) carry the lab; a published keepwire, native or not, has none to load.")]
    public static async Task<int> RunAsync(string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, LabAssembly);
        if (!File.Exists(path) || !RuntimeFeature.IsDynamicCodeSupported)
        {
            await Console.Error.WriteLineAsync($"keepwire lab: the namespace lab is a development tool and not part of this installation ({path} is missing); build it from a source checkout: dotnet build src/Keepwire.Cli -c Release -o DIR, then run DIR/keepwire lab");
            return 1;
        }

        var entryPoint = Assembly.LoadFrom(path).EntryPoint
            ?? throw new InvalidOperationException($"{path} has no entry point");
        try
        {
            return entryPoint.Invoke(null, [arguments]) is int exitCode ? exitCode : 0;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
