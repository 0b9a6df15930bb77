namespace Keepwire.Adapters.Keepalived;

/// <summary>What <see cref="KeepalivedSupervisor.EnsureRunningAsync"/> had to do.</summary>
public enum KeepalivedOutcome
{
    /// <summary>keepalived was running with this configuration already.</summary>
    Unchanged,

    /// <summary>A keepalived this supervisor had not seen was running (a restarted daemon found it) and was kept as it is.</summary>
    Adopted,

    /// <summary>The configuration changed: it was written and keepalived reloaded it (SIGHUP), keeping its state and the VIPs.</summary>
    Reloaded,

    /// <summary>No keepalived had run from this directory: it was started.</summary>
    Started,

    /// <summary>keepalived had died (stale pid file, or the one seen before is gone): it was started again.</summary>
    Restarted,
}

/// <summary>The outcome, and the pid of keepalived's parent process now running.</summary>
public sealed record KeepalivedRunState(KeepalivedOutcome Outcome, int Pid);
