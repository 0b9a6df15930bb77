using System.Text.RegularExpressions;

namespace Keepwire.Tests.Dependencies;

/// <summary>
/// Every program the C# code starts is in scripts/install-deps' table, so a fresh machine gets it
/// (issue 8: <c>ping</c> was missing and 25 tests failed on a machine without it). The table is what
/// installs and what <c>--check</c> checks before the integration tests; this finds, in src/ and
/// tests/, the programs started by name: <c>RunAsync("PROGRAM", …)</c> (or a constant naming it),
/// <c>ExecAsync(host, "PROGRAM", …)</c>, <c>ip netns exec NS PROGRAM</c>, <c>new ProcessStartInfo("PROGRAM")</c>.
/// Shell scripts (bench/, scripts/demo) are not read here: their programs are in the table by hand.
/// </summary>
public sealed partial class InstallDepsTableTests
{
    [Fact]
    public void Every_program_the_code_starts_by_name_is_installed_by_install_deps()
    {
        var root = RepositoryCheckout.Root();
        var table = TablePrograms(File.ReadAllText(Path.Combine(root, "scripts", "install-deps")));
        var started = SourceFiles(root)
            .SelectMany(file => StartedPrograms(File.ReadAllText(Path.Combine(root, file))).Select(program => (File: file, Program: program)))
            .ToList();

        // ip, nft, wg, curl, socat, … appear dozens of times: finding few means the patterns broke, not that all is well.
        Assert.True(started.Select(s => s.Program).Distinct().Count() >= 15, $"only found: {string.Join(", ", started.Select(s => s.Program).Distinct())}");
        var missing = started.Where(s => !table.Contains(s.Program)).ToList();
        Assert.True(missing.Count == 0, "programs the code starts that scripts/install-deps does not install (add a line to its table):\n"
            + string.Join("\n", missing.Select(m => $"{m.Program} ({m.File})")));
    }

    [Fact]
    public void The_table_is_read_from_the_script_and_every_way_of_starting_a_program_is_found()
    {
        const string script = "table=$(cat <<'EOF'\nwg                   wireguard-tools    WireGuard adapter\nping                 iputils-ping       tests\nEOF\n)\n";
        const string code = """
            private const string Nft = "nft";
            await runner.RunAsync(Nft, ["list"]);
            await runner.RunCheckedAsync("wireguard-go", [name]);
            await lab.ExecAsync("client", "curl", "-sS", url);
            await ExecAsync(hub, ["wg", "show"]);
            await runner.RunCheckedAsync("ip", ["netns", "exec", site.Namespace, "nginx", "-c", config]);
            var start = new ProcessStartInfo("keepalived");
            await Host("ip", "netns", "exec", ns, "sysctl", "-q");
            """;

        Assert.Equal(["wg", "ping"], TablePrograms(script));
        Assert.Equal(["curl", "ip", "keepalived", "nft", "nginx", "sysctl", "wg", "wireguard-go"], StartedPrograms(code).Order(StringComparer.Ordinal));
    }

    /// <summary>The first word of every line of the script's table (the heredoc after <c>table=$(cat &lt;&lt;'EOF'</c>).</summary>
    private static HashSet<string> TablePrograms(string script)
    {
        var start = script.IndexOf("table=$(cat <<'EOF'\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "scripts/install-deps has no table=$(cat <<'EOF' … EOF)");
        var body = script[(script.IndexOf('\n', start) + 1)..];
        var lines = body[..body.IndexOf("\nEOF\n", StringComparison.Ordinal)].Split('\n');
        return [.. lines.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])];
    }

    private static HashSet<string> StartedPrograms(string code)
    {
        var constants = Constant().Matches(code).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);
        var programs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in new[] { Started(), ExecInHost(), ExecInNamespace() })
            programs.UnionWith(pattern.Matches(code).Select(m => m.Groups["program"].Value));
        programs.UnionWith(StartedByConstant().Matches(code).Select(m => m.Groups["name"].Value).Where(constants.ContainsKey).Select(name => constants[name]));
        return programs;
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        new[] { "src", "tests" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(root, path))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            // This file's own examples are not programs anything starts.
            .Where(path => Path.GetFileName(path) != $"{nameof(InstallDepsTableTests)}.cs");

    [GeneratedRegex("""(?:RunAsync|RunCheckedAsync|ProcessStartInfo|Host)\(\s*"(?<program>[\w.-]+)"[,)]""")]
    private static partial Regex Started();

    [GeneratedRegex("""(?:RunAsync|RunCheckedAsync)\(\s*(?<name>[A-Z]\w*)\s*,""")]
    private static partial Regex StartedByConstant();

    [GeneratedRegex("""const string (?<name>\w+) = "(?<value>[\w.-]+)";""")]
    private static partial Regex Constant();

    [GeneratedRegex("""ExecAsync\(\s*[\w."]+,\s*\[?\s*"(?<program>[\w.-]+)"[,\]]""")]
    private static partial Regex ExecInHost();

    [GeneratedRegex("""[,\[]\s*"exec",\s*[\w.]+,\s*"(?<program>[\w.-]+)"[,\]]""")]
    private static partial Regex ExecInNamespace();
}
