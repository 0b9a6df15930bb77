using YamlDotNet.RepresentationModel;

namespace Keepwire.Configuration.Parsing;

/// <summary>A parsed value and the node it came from, so checks across the whole file can point at it.</summary>
internal sealed record Located<T>(T Value, YamlNode Node);
