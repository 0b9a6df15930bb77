namespace Keepwire.Onboarding.Editing;

/// <summary>A change to the configuration file that was refused; the file is left as it was. The message says why and what to do.</summary>
public sealed class ConfigEditException(string message) : Exception(message);
