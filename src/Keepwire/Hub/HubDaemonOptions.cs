namespace Keepwire.Hub;

/// <param name="ReconcileInterval">How often the daemon re-reads the kernel and repairs drift, even when nothing happened.</param>
public sealed record HubDaemonOptions(
    string ConfigPath,
    string NodeName,
    string StateDirectory,
    string SocketPath,
    TimeSpan ReconcileInterval);
