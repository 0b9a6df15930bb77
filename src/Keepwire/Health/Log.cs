using Microsoft.Extensions.Logging;

namespace Keepwire.Health;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Probe {Check} of service {Service} against site {Site} crashed; counted as a failure")]
    public static partial void ProbeCrashed(ILogger logger, Exception exception, string service, string site, string check);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Probe {Check} of service {Service} against site {Site} skips beats: {Count} probes are still unreported (probes overrunning their timeout?)")]
    public static partial void BeatSkipped(ILogger logger, string service, string site, string check, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probing {Count} targets")]
    public static partial void SchedulerStarted(ILogger logger, int count);
}
