namespace Keepwire.Adapters.Keepalived;

/// <summary>What went wrong with keepalived, so the hub daemon can decide (retry, report, give up).</summary>
public enum KeepalivedFailure
{
    /// <summary>The settings cannot make a working configuration (the message lists every problem).</summary>
    InvalidSettings,

    /// <summary><c>keepalived -t</c> refused the rendered configuration; the running keepalived was left alone.</summary>
    ConfigRejected,

    /// <summary>keepalived did not start, or exited right away.</summary>
    StartFailed,

    /// <summary>keepalived did not exit when told to.</summary>
    StopFailed,
}

public sealed class KeepalivedException(KeepalivedFailure reason, string message) : Exception(message)
{
    public KeepalivedFailure Reason { get; } = reason;
}
