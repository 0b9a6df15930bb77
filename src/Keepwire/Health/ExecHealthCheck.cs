using System.Net;
using Keepwire.Adapters.Processes;
using Keepwire.Model;

namespace Keepwire.Health;

/// <summary>
/// Runs <see cref="CheckDefinition.Command"/> on the hub; exit 0 is healthy. The program gets the
/// site's address as its last argument and in KEEPWIRE_SITE_ADDRESS (and the site's name in
/// KEEPWIRE_SITE). It is run directly, as an argument list, with the two variables set in its
/// environment by the runner: no shell, and no env(1), which would take a first word containing '='
/// for an assignment instead of the program. On timeout the runner kills the process tree. Only the
/// first <see cref="ICommandRunner.CheckOutputLimit"/> bytes of its output are kept (its first line is
/// all a status shows): a check that prints without end costs the hub CPU until its timeout, never memory.
/// </summary>
public sealed class ExecHealthCheck(CheckDefinition definition, ICommandRunner runner, TimeProvider time) : HealthCheck(definition, time)
{
    public const string AddressVariable = "KEEPWIRE_SITE_ADDRESS";
    public const string SiteVariable = "KEEPWIRE_SITE";

    /// <summary>The arguments after the program, for one site: the command's own, then the site's address.</summary>
    public IReadOnlyList<string> ArgumentsFor(IPAddress address) => [.. Definition.Command.Skip(1), address.ToString()];

    /// <summary>The variables set for the program, for one site.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string site, IPAddress address) =>
        new Dictionary<string, string> { [AddressVariable] = address.ToString(), [SiteVariable] = site };

    protected override async Task<(bool Success, string Detail)> ProbeCoreAsync(string site, IPAddress address, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(Definition.Command[0], ArgumentsFor(address), environment: EnvironmentFor(site, address), outputLimit: ICommandRunner.CheckOutputLimit, cancellationToken: cancellationToken);
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
