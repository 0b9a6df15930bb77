using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// Runs <see cref="CheckDefinition.Command"/> on the hub; exit 0 is healthy. The program gets the
/// site's address as its last argument and in KEEPWIRE_SITE_ADDRESS (and the site's name in
/// KEEPWIRE_SITE). The environment is set by running the command through env(1), so it goes through
/// <see cref="ICommandRunner"/> as an argument list like every other program: no shell involved.
/// On timeout the runner kills the process tree. Only the first <see cref="ICommandRunner.CheckOutputLimit"/>
/// bytes of its output are kept (its first line is all a status shows): a check that prints without end
/// costs the hub CPU until its timeout, never memory.
/// </summary>
public sealed class ExecHealthCheck(CheckDefinition definition, ICommandRunner runner, TimeProvider time) : HealthCheck(definition, time)
{
    public const string AddressVariable = "KEEPWIRE_SITE_ADDRESS";
    public const string SiteVariable = "KEEPWIRE_SITE";

    /// <summary>The program and arguments actually run for one site.</summary>
    public IReadOnlyList<string> ArgumentsFor(string site, IPAddress address) =>
        [$"{AddressVariable}={address}", $"{SiteVariable}={site}", .. Definition.Command, address.ToString()];

    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("env", ArgumentsFor(site, address), null, ICommandRunner.CheckOutputLimit, cancellationToken);
        if (result.Succeeded)
            return (true, "exit 0");
        var output = FirstLine(result.StandardError) ?? FirstLine(result.StandardOutput);
        return (false, output is null ? $"exit {result.ExitCode}" : $"exit {result.ExitCode}: {output}");
    }

    private static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return line is { Length: > 200 } ? line[..200] + "…" : line;
    }
}
