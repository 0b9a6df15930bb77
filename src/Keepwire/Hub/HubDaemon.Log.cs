using Microsoft.Extensions.Logging;

namespace Keepwire.Hub;

public sealed partial class HubDaemon
{
    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} starting with {ConfigPath}")]
        public static partial void Starting(ILogger logger, string node, string configPath);

        [LoggerMessage(Level = LogLevel.Information, Message = "hub {Node} stopped; the data path stays in place")]
        public static partial void Stopped(ILogger logger, string node);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Service}: {From} → {To} ({Reason})")]
        public static partial void Switched(ILogger logger, string service, string from, string to, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "deleted {Count} conntrack entries of {Service} towards {Site} in {Milliseconds} ms, so their retransmissions reach the new site")]
        public static partial void FlowsFlushed(ILogger logger, int count, string service, string site, long milliseconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete the conntrack entries of {Service} towards {Site}; they expire on their own: {Error}")]
        public static partial void FlushFailed(ILogger logger, string service, string site, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "reconcile failed, keeping the last applied state: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "reloaded {ConfigPath}")]
        public static partial void Reloaded(ILogger logger, string configPath);

        [LoggerMessage(Level = LogLevel.Error, Message = "reload rejected, still running the previous config:\n{Errors}")]
        public static partial void ReloadRejected(ILogger logger, string errors);
    }
}
