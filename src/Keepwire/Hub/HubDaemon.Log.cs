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

        [LoggerMessage(Level = LogLevel.Error, Message = "reconcile failed, keeping the last applied state: {Error}")]
        public static partial void ReconcileFailed(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "hub pass failed, retrying with the next one (the kernel keeps forwarding)")]
        public static partial void PassFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Information, Message = "reloaded {ConfigPath}{Note}")]
        public static partial void Reloaded(ILogger logger, string configPath, string note);

        [LoggerMessage(Level = LogLevel.Error, Message = "deriving this pass's events for notifications and the dashboard failed; the pass goes on")]
        public static partial void EventsFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "dashboard cannot listen on {Listen}, the hub runs on without it: {Error}")]
        public static partial void DashboardFailed(ILogger logger, string listen, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Message}")]
        public static partial void ReloadRejected(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Warning, Message = "the sites' refusals cannot be read, so no passive evidence: {Error}")]
        public static partial void RefusalsUnavailable(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "reload: closing the previous config's checks and listeners failed; the new ones start anyway")]
        public static partial void ObserversNotClosed(ILogger logger, Exception exception);
    }
}
