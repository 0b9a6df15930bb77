using Microsoft.Extensions.Logging;

namespace Keepwire.Adapters.Keepalived;

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Started keepalived (pid {Pid}) with {ConfigFile}")]
    public static partial void Started(ILogger logger, int pid, string configFile);

    [LoggerMessage(Level = LogLevel.Warning, Message = "keepalived from {ConfigFile} was not running (it died, or was killed); started it again (pid {Pid})")]
    public static partial void Restarted(ILogger logger, int pid, string configFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopted running keepalived (pid {Pid}); not restarting it, so the VIPs stay where they are")]
    public static partial void Adopted(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "keepalived configuration {ConfigFile} changed; reloading keepalived (pid {Pid})")]
    public static partial void Reloaded(ILogger logger, string configFile, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped keepalived (pid {Pid})")]
    public static partial void Stopped(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "keepalived (pid {Pid}) did not exit within {Grace} of SIGTERM; killing it")]
    public static partial void Killing(ILogger logger, int pid, TimeSpan grace);
}
