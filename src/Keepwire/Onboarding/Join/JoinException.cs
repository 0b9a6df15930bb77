namespace Keepwire.Onboarding.Join;

/// <summary>A join that did not happen; nothing was written on the site. The message says why and what to do.</summary>
public sealed class JoinException(string message, Exception? inner = null) : Exception(message, inner);
