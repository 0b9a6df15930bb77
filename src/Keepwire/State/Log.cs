using Microsoft.Extensions.Logging;

namespace Keepwire.State;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Error, Message = "State file {Path} cannot be used ({Problem}); starting without it, which loses {Lost}. Move it away to keep it for inspection")]
    public static partial void StateFileUnusable(ILogger logger, string path, string problem, string lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "State file {Path}: dropped {Dropped} entries that are not valid ({Examples}); kept {Kept}")]
    public static partial void StateEntriesDropped(ILogger logger, string path, int dropped, string examples, int kept);
}
