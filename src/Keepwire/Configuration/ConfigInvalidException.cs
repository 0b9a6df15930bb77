namespace Keepwire.Configuration;

/// <summary>A config that cannot be used; the message lists every problem, one <c>file:line:column: …</c> per line.</summary>
public sealed class ConfigInvalidException : Exception
{
    public ConfigInvalidException(IReadOnlyList<ConfigError> errors)
        : base(string.Join('\n', errors.Select(e => e.ToString()))) => Errors = errors;

    public ConfigInvalidException(string message)
        : base(message) => Errors = [];

    public IReadOnlyList<ConfigError> Errors { get; }
}
