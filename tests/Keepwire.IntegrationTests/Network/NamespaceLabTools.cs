using System.Diagnostics;
using Keepwire.Adapters.Processes;
using Keepwire.Adapters.WireGuard;
using Keepwire.Model;

namespace Keepwire.IntegrationTests.Network;

/// <summary>
/// What the namespace labs of these tests share: making namespaces, veth pairs and keys, starting programs
/// inside a namespace, and removing all of it again by name and pid, also after a failure.
/// </summary>
internal sealed class NamespaceLabTools
{
    private readonly CommandRunner _host = new();
    private readonly List<Process> _processes = [];

    public async Task AddNamespaceAsync(string ns)
    {
        await Host("ip", "netns", "add", ns);
        await Host("ip", "-n", ns, "link", "set", "lo", "up");
        // No duplicate address detection: link-local addresses appearing a moment later would make state comparisons flaky.
        await Host("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
    }

    public async Task VethAsync(string leftNs, string left, string leftAddress, string rightNs, string right, string rightAddress)
    {
        await Host("ip", "-n", leftNs, "link", "add", left, "type", "veth", "peer", "name", right, "netns", rightNs);
        await Host("ip", "-n", leftNs, "addr", "add", leftAddress, "dev", left);
        await Host("ip", "-n", rightNs, "addr", "add", rightAddress, "dev", right);
        await Host("ip", "-n", leftNs, "link", "set", left, "up");
        await Host("ip", "-n", rightNs, "link", "set", right, "up");
    }

    /// <summary>Writes a new private key to DIRECTORY/NAME.key with mode 0600; returns the file and its public key.</summary>
    public async Task<(string File, WireGuardKey PublicKey)> GenerateKeyAsync(string directory, string name)
    {
        var file = Path.Combine(directory, name + ".key");
        var privateKey = (await _host.RunCheckedAsync("wg", ["genkey"])).StandardOutput;
        await File.WriteAllTextAsync(file, privateKey);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var publicKey = (await _host.RunCheckedAsync("wg", ["pubkey"], privateKey)).StandardOutput.Trim();
        return (file, WireGuardKey.Parse(publicKey));
    }

    /// <summary>Pids of wireguard-go processes serving <paramref name="interfaceName"/> (unique to one lab).</summary>
    public async Task<IReadOnlyList<int>> WireGuardGoPidsAsync(string interfaceName)
    {
        var result = await _host.RunAsync("pgrep", ["-f", $"^wireguard-go {interfaceName}$"]);
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    /// <summary>Starts a long-running program in a namespace, its output collected; it is killed (by pid) at removal.</summary>
    public CapturedProcess StartInNamespace(string ns, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", ns, .. arguments])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ip netns exec");
        _processes.Add(process);
        return new CapturedProcess(process);
    }

    /// <summary>
    /// Removes everything: the started programs, the WireGuard interfaces (that stops their wireguard-go; deleting
    /// a namespace would not), any wireguard-go still running under those names, their sockets, the namespaces.
    /// </summary>
    public async Task RemoveAsync(IEnumerable<(string Namespace, string Interface)> wireGuardInterfaces, IEnumerable<string> namespaces)
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }
            process.Dispose();
        }

        var interfaces = wireGuardInterfaces.ToList();
        foreach (var (ns, name) in interfaces)
            await _host.RunAsync("ip", ["-n", ns, "link", "del", name]);
        foreach (var (_, name) in interfaces)
        {
            await WireGuardLab.Eventually(async () => (await WireGuardGoPidsAsync(name)).Count == 0, TimeSpan.FromSeconds(5));
            foreach (var pid in await WireGuardGoPidsAsync(name))
                await _host.RunAsync("kill", ["-9", pid.ToString()]);
            File.Delete(Path.Combine(WireGuardCli.DefaultSocketDirectory, name + ".sock"));
        }

        foreach (var ns in namespaces)
            await _host.RunAsync("ip", ["netns", "del", ns]);
    }

    public Task<CommandResult> Host(string program, params string[] arguments) => _host.RunCheckedAsync(program, arguments);
}
