using Microsoft.Extensions.Logging;

namespace Keepwire.Health;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Probe of the {Stream} crashed; counted as a failure")]
    public static partial void ProbeCrashed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Stream} skips beats: {Count} probes are still unreported (probes overrunning their timeout?)")]
    public static partial void BeatSkipped(ILogger logger, string stream, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Stream} skips beats: all probes together hold {Count} attempts (sockets or programs) already")]
    public static partial void BeatSkippedHubWide(ILogger logger, string stream, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Probing {Count} streams")]
    public static partial void SchedulerStarted(ILogger logger, int count);
}
