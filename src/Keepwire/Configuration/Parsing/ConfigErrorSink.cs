using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>Collects every error of one load, so the user sees them all at once instead of one per run.</summary>
internal sealed class ConfigErrorSink(string file)
{
    private readonly List<ConfigError> errors = [];

    public string File { get; } = file;

    public int Count => errors.Count;

    public void Report(Mark at, string message, string? hint = null) =>
        errors.Add(new ConfigError(File, (int)at.Line, (int)at.Column, message, hint));

    public void Report(YamlNode at, string message, string? hint = null) => Report(at.Start, message, hint);

    public void ReportFile(string message, string? hint = null) => errors.Add(new ConfigError(File, 0, 0, message, hint));

    /// <summary>
    /// The errors in file order (errors at the same spot keep the order they were found in), at most
    /// <see cref="ConfigLimits.MaxErrorsShown"/> of them and then one line that says how many more there are.
    /// </summary>
    public IReadOnlyList<ConfigError> InFileOrder()
    {
        var ordered = errors.OrderBy(e => e.Line).ThenBy(e => e.Column);
        if (errors.Count <= ConfigLimits.MaxErrorsShown)
            return [.. ordered];
        var more = errors.Count - ConfigLimits.MaxErrorsShown;
        return [.. ordered.Take(ConfigLimits.MaxErrorsShown), new ConfigError(File, 0, 0, $"{more} more problem(s) not shown", "fix the ones above first")];
    }
}
