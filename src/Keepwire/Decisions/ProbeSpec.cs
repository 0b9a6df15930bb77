using Keepwire.Model;

namespace Keepwire.Decisions;

/// <summary>
/// What a check puts on the wire and how it judges the answer: everything of a <see cref="CheckDefinition"/>
/// except its name and its rise/fall counting, which belong to each service's own tracker. Two checks with
/// equal specs against one site send the same probes at the same rate and read the answers the same way,
/// so the hub runs one probe stream for both and hands every result to each (<c>Health/ProbePlan</c>).
/// </summary>
/// <param name="Command">Exec: program and arguments joined with NUL, which no argument can contain, so equal strings mean equal commands.</param>
public sealed record ProbeSpec(
    CheckKind Kind,
    int? Port,
    string Path,
    string? Host,
    int StatusMin,
    int StatusMax,
    string? BodyContains,
    string UdpPayload,
    string? UdpExpect,
    string Command,
    TimeSpan Interval,
    TimeSpan FastInterval,
    TimeSpan Timeout,
    int Attempts)
{
    /// <summary>The HTTP port when a check names none (<see cref="CheckDefinition.Port"/>).</summary>
    public const int DefaultHttpPort = 80;

    /// <summary>
    /// The most probe attempts a second the checks of all services may ask of one site (the config is refused
    /// beyond it), counted at the fast interval, the rate of a site in question. Distinct specs add up, equal ones
    /// are probed once: with the default timing a spec costs 20 a second then (2 while the site is healthy), so
    /// this is 25 distinct default checks per site, however many services share them.
    /// </summary>
    public const double MaxAttemptsPerSecondPerSite = 500;

    public static ProbeSpec Of(CheckDefinition check) => new(
        check.Kind,
        check.Kind == CheckKind.Http ? check.Port ?? DefaultHttpPort : check.Port,
        check.Path,
        check.Host,
        check.StatusMin,
        check.StatusMax,
        check.BodyContains,
        check.UdpPayload,
        check.UdpExpect,
        string.Join('\0', check.Command),
        check.Interval,
        check.FastInterval,
        check.Timeout,
        check.Attempts);

    /// <summary>Probes a second of a healthy site: one every <see cref="Interval"/>.</summary>
    public double ProbesPerSecond => 1 / Interval.TotalSeconds;

    /// <summary>
    /// Attempts a second at most, while the site is in question (one probe every <see cref="FastInterval"/>), which
    /// is what the site and the hub pay for then: every probe makes <see cref="Attempts"/> (a connection, a
    /// datagram or a program each).
    /// </summary>
    public double AttemptsPerSecond => Attempts / FastInterval.TotalSeconds;

    /// <summary>What probing a site with these checks costs: every distinct spec once.</summary>
    public static double AttemptsPerSecondOf(IEnumerable<ProbeSpec> specs) => specs.Distinct().Sum(s => s.AttemptsPerSecond);
}
