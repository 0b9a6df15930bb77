using System.Globalization;
using Keepwire.Decisions;

namespace Keepwire.Configuration.Parsing;

/// <summary>
/// A site is probed once per distinct check of the services it may serve (services checking the same thing share
/// one probe), and the sum of those checks' attempts a second must stay within
/// <see cref="ProbeSpec.MaxAttemptsPerSecondPerSite"/>: a file that would have the hub flood a site (and itself)
/// with probes is refused before it runs, instead of making healthy sites look sick.
/// </summary>
internal static class ProbeBudget
{
    public static void Check(IReadOnlyList<ServiceDraft> services, IReadOnlyList<SiteDraft> sites, ConfigErrorSink errors)
    {
        foreach (var site in sites)
        {
            if (site.Name?.Value is not { } name)
                continue;
            var specs = services
                .Where(s => s.Checks is not null && s.Sites.Any(reference => reference.Value == name))
                .SelectMany(s => s.Checks!)
                .Select(ProbeSpec.Of)
                .Distinct()
                .ToList();
            var rate = ProbeSpec.AttemptsPerSecondOf(specs);
            if (rate <= ProbeSpec.MaxAttemptsPerSecondPerSite)
                continue;
            errors.Report(
                site.Node,
                string.Create(CultureInfo.InvariantCulture, $"site '{name}' would get {rate:0} probe attempts a second while in question (at the checks' fast_interval) from {specs.Count} distinct checks of its services (at most {ProbeSpec.MaxAttemptsPerSecondPerSite:0})"),
                "services that check the same thing on a site (type, port, path, host, expectations, intervals, timeout, attempts) share one probe: give services behind one server the same check, or lengthen 'fast_interval' of the checks that differ");
        }
    }
}
