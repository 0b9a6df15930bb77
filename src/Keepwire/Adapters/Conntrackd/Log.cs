using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.Conntrackd;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Started conntrackd with {ConfigFile}")]
    public static partial void Started(ILogger logger, string configFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "conntrackd step failed (continuing with the next): {Failure}")]
    public static partial void StepFailed(ILogger logger, string failure);
}
