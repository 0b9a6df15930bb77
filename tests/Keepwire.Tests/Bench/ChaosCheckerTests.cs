using Keepwire.Adapters.Processes;

namespace Keepwire.Tests.Bench;

/// <summary>
/// bench/chaos's offline checker and fault schedule are Python beside the other bench scripts; their unit tests
/// (hand-made histories, bench/lib/test_chaoscheck.py) run with the rest of the unit suite, so a change that
/// breaks the checker fails here and not only when someone next runs the soak.
/// </summary>
public sealed class ChaosCheckerTests
{
    [Fact]
    public async Task The_chaos_checkers_unit_tests_pass()
    {
        var lib = Path.Combine(RepositoryCheckout.Root(), "bench", "lib");

        // No __pycache__ left in the checkout.
        var result = await new CommandRunner().RunAsync(
            "python3", ["-m", "unittest", "discover", "-s", lib, "-p", "test_chaos*.py"], environment: new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });

        Assert.True(result.Succeeded, result.StandardError + result.StandardOutput);
        Assert.Contains("OK", result.StandardError, StringComparison.Ordinal);
    }
}
