using System.Net;
using Keepwire.Configuration.Parsing;
using Keepwire.Model;

namespace Keepwire.Onboarding;

/// <summary>
/// The configuration's own syntax rules for values given on the command line (names, endpoints, durations,
/// tunnel addresses), so an option is accepted exactly when the same text would be in the file. Each returns
/// null and says why in <c>error</c> when the text does not fit.
/// </summary>
public static class OptionSyntax
{
    public static string? Name(string text, out string? error) => Fits(text, NameSyntax.CheckName(text), out error);

    public static string? Interface(string text, string option, out string? error) => Fits(text, NameSyntax.CheckInterface(text, option), out error);

    public static HostEndpoint? Endpoint(string text, out string? error)
    {
        var endpoint = EndpointSyntax.Parse(text, out var problem);
        error = Describe(problem);
        return endpoint;
    }

    public static TimeSpan? Duration(string text, string option, out string? error)
    {
        var duration = DurationSyntax.Parse(text, option, out var problem);
        error = Describe(problem);
        return duration;
    }

    /// <summary>An address with the prefix length of its network, such as <c>10.77.0.1/24</c>.</summary>
    public static (IPAddress Address, int PrefixLength)? InterfaceAddress(string text, out string? error)
    {
        var parsed = AddressSyntax.ParseInterfaceAddress(text, out var problem);
        error = Describe(problem);
        return parsed;
    }

    private static T? Fits<T>(T value, Problem? problem, out string? error)
        where T : class
    {
        error = Describe(problem);
        return problem is null ? value : null;
    }

    private static string? Describe(Problem? problem) =>
        problem is null ? null : problem.Hint is null ? problem.Message : $"{problem.Message} ({problem.Hint})";
}
