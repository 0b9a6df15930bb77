using YamlDotNet.Core;

namespace Keepwire.Configuration.Parsing;

/// <summary>The YAML stream broke one of <see cref="ConfigLimits"/>; loading stops at <see cref="Start"/>.</summary>
internal sealed class YamlLimitException(Mark start, string message, string hint) : Exception(message)
{
    public Mark Start { get; } = start;

    public string Hint { get; } = hint;
}
