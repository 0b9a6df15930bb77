using System.Diagnostics;

namespace Keepwire.Tests.Metrics;

/// <summary>Prometheus' own linter of the exposition format (Debian's prometheus package; scripts/install-deps).</summary>
public static class Promtool
{
    /// <summary><c>promtool check metrics</c> on <paramref name="exposition"/>: exit code 0 when it parses and lints clean.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
