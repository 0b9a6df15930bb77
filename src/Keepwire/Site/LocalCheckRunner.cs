using System.Globalization;
using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Site;

/// <summary>What the site tells the hub about itself after one pass of its local checks.</summary>
public sealed record LocalCheckVerdict(bool Healthy, string Reason);

/// <summary>
/// Runs a site's <see cref="LocalCheck"/>s and turns their outcome into the verdict the site agent
/// reports. The checks run side by side, so one slow check does not delay the others or the pass. Only the
/// first <see cref="ICommandRunner.CheckOutputLimit"/> bytes of a check's output are kept.
/// </summary>
public sealed class LocalCheckRunner(ICommandRunner runner, TimeProvider time)
{
    public const string NoChecksReason = "site agent running; no local checks failing";

    /// <summary>Keeps the report well inside one datagram (<see cref="Reports.SiteReport.MaxBytes"/>) however many checks fail.</summary>
    private const int MaxReasonLength = 1200;

    public async Task<LocalCheckVerdict> RunAsync(IReadOnlyList<LocalCheck> checks, CancellationToken cancellationToken)
    {
        if (checks.Count == 0)
            return new LocalCheckVerdict(true, NoChecksReason);

        var failures = await Task.WhenAll(checks.Select(check => RunOneAsync(check, cancellationToken)));
        var failing = failures.OfType<string>().ToList();
        return failing.Count == 0
            ? new LocalCheckVerdict(true, checks.Count == 1 ? "1 local check passing" : $"{checks.Count} local checks passing")
            : new LocalCheckVerdict(false, Shorten(string.Join("; ", failing)));
    }

    /// <summary>Null when the check passed, else why it failed, naming the check.</summary>
    private async Task<string?> RunOneAsync(LocalCheck check, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await runner.RunAsync(check.Command[0], [.. check.Command.Skip(1)], outputLimit: ICommandRunner.CheckOutputLimit, cancellationToken: linked.Token);
            if (result.Succeeded)
                return null;
            var output = FirstLine(result.StandardError) ?? FirstLine(result.StandardOutput);
            return Failed(check, output is null ? $"exit {result.ExitCode}" : $"exit {result.ExitCode}: {output}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(check, $"timeout after {check.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A check that cannot even run says nothing good about the site.
            return Failed(check, e.Message);
        }
    }

    private static string Shorten(string reason) => reason.Length > MaxReasonLength ? reason[..MaxReasonLength] + "…" : reason;

    private static string Failed(LocalCheck check, string detail) => $"local check {check.Name} failed: {detail}";

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is { Length: > 200 } ? line[..200] + "…" : line;
    }
}
