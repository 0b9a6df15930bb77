using Keepwire.Adapters.Processes;

namespace Keepwire.IntegrationTests.Lab;

/// <summary>
/// The preflight of the integration tests, run once before the first of them: every program the
/// tests and the lab run (ping, curl, socat, keepalived, …) is installed, or every test fails at
/// once with a message naming the missing ones, instead of each failing after its own timeout with
/// "cannot start ping". The list is scripts/install-deps' own (<c>--check</c>), so the two cannot drift.
/// </summary>
public sealed class RequiredPrograms
{
    public RequiredPrograms()
    {
        var script = FindInstallDeps();
        var check = new CommandRunner().RunAsync("bash", [script, "--check"]).GetAwaiter().GetResult();
        if (!check.Succeeded)
            throw new InvalidOperationException($"programs the integration tests run are missing; as root, run scripts/install-deps. {script} --check said: {check.StandardError.Trim()}");
    }

    /// <summary>scripts/install-deps of the checkout the tests were built from, found upwards from the test assembly.</summary>
    private static string FindInstallDeps()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "install-deps");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"cannot find scripts/install-deps in any directory above {AppContext.BaseDirectory}; run the tests from a checkout of the repository.");
    }
}
