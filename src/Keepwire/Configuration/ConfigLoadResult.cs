using Keepwire.Model;

namespace Keepwire.Configuration;

/// <summary>
/// The outcome of loading a configuration: either a validated snapshot or every error found,
/// never both. <see cref="Config"/> is null exactly when <see cref="Errors"/> is not empty.
/// </summary>
public sealed record ConfigLoadResult
{
    private ConfigLoadResult(ClusterConfig? config, IReadOnlyList<ConfigError> errors)
    {
        Config = config;
        Errors = errors;
    }

    public ClusterConfig? Config { get; }

    /// <summary>The errors in file order (line, then column).</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    public bool Succeeded => Config is not null;

    public static ConfigLoadResult Success(ClusterConfig config) => new(config, []);

    public static ConfigLoadResult Failure(IReadOnlyList<ConfigError> errors)
    {
        if (errors.Count == 0)
            throw new ArgumentException("a failed load needs at least one error", nameof(errors));
        return new ConfigLoadResult(null, errors);
    }
}
