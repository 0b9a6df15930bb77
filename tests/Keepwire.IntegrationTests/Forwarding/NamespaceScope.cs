using System.Diagnostics;
using System.Security.Cryptography;
using Keepwire.Adapters.Processes;

namespace Keepwire.IntegrationTests.Forwarding;

/// <summary>
/// Network namespaces and background processes a test creates, all removed again
/// by <see cref="CleanUpAsync"/> (processes first, by the pids this scope started, then the namespaces).
/// Names carry a random per-run prefix so parallel or leftover runs never collide.
/// </summary>
internal sealed class NamespaceScope
{
    private readonly CommandRunner _root = new CommandRunner();
    private readonly List<string> _namespaces = [];
    private readonly List<Process> _processes = [];

    /// <summary>"kw" and five random hex digits: leaves room for a suffix within 15-character interface names.</summary>
    public string Prefix { get; } = "kw" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))[..5];

    public async Task<ICommandRunner> CreateNamespaceAsync(string suffix)
    {
        var name = $"{Prefix}-{suffix}";
        await _root.RunCheckedAsync("ip", ["netns", "add", name]);
        _namespaces.Add(name);
        var runner = new NamespacedCommandRunner(_root, name);
        await runner.RunCheckedAsync("ip", ["link", "set", "lo", "up"]);
        return runner;
    }

    public string NamespaceName(string suffix) => $"{Prefix}-{suffix}";

    /// <summary>Starts a long-running program inside a namespace; it is killed when the scope ends.</summary>
    public Process StartInNamespace(string suffix, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", NamespaceName(suffix) }.Concat(command))
            startInfo.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            startInfo.Environment[key] = value;
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {string.Join(' ', command)}");
        _processes.Add(process);
        // Drain the pipes so a chatty process never blocks on a full one.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async Task CleanUpAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                // Already gone, or stuck: the namespace is removed regardless.
            }
            process.Dispose();
        }
        foreach (var name in _namespaces)
            await _root.RunAsync("ip", ["netns", "del", name]);
    }
}
