namespace Keepwire.Configuration.Parsing;

/// <summary>What is wrong with a value, and what to do about it; the caller adds where.</summary>
internal sealed record Problem(string Message, string? Hint = null);
